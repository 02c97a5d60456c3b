package io.kvpipe.app.query;

import io.kvpipe.app.topology.AppliedOffset;
import io.kvpipe.avro.VersionedValue;
import io.kvpipe.schemas.ReadPosition;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * Waits for a read position by re-reading the local store, with a short growing back-off (5 ms
 * doubling to 50 ms), for at most the wait:
 * <ul>
 *   <li>{@code <partition>:<offset>}: the store's {@link AppliedOffset} entry until it reaches the
 *       offset (a store that applied no request has none, at -1);</li>
 *   <li>{@code <partition>:v<version>} (a commit that wrote nothing at a known offset): the key until
 *       the store holds it at that version or later (an absent key counts as version 0).</li>
 * </ul>
 * Polling is cheap (a local read) and works alike on a primary and on a replica, which applies the
 * changelog in the order the primary wrote it.
 */
final class PositionWait {

    /** Sleeps; the test double records instead. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(long ms) throws InterruptedException;
    }

    private final LongSupplier nanoClock;
    private final Sleeper sleeper;

    PositionWait(LongSupplier nanoClock, Sleeper sleeper) {
        this.nanoClock = nanoClock;
        this.sleeper = sleeper;
    }

    static PositionWait system() {
        return new PositionWait(System::nanoTime, Thread::sleep);
    }

    /**
     * @param readKey one read of the key from the local store
     * @return the first read that found the key at the version or later (or found no key, when
     *     version 0 is wanted), any read that did not find out (not here, failed), or {@link
     *     LocalRead.Outcome#BEHIND} once the wait is over
     */
    LocalRead forVersion(Supplier<LocalRead> readKey, ReadPosition position, Duration wait) throws InterruptedException {
        return poll(readKey, value -> value == null ? 0 : value.getVersion(), position.version(), position, wait,
                "holds the key at version ");
    }

    /**
     * @param readEntry one read of the {@link AppliedOffset} entry from the local store
     * @return the first read whose entry reached the offset, any read that did not find out (not
     *     here, failed), or {@link LocalRead.Outcome#BEHIND} once the wait is over
     */
    LocalRead forOffset(Supplier<LocalRead> readEntry, ReadPosition position, Duration wait) throws InterruptedException {
        return poll(readEntry, AppliedOffset::of, position.offset(), position, wait, "has applied requests up to offset ");
    }

    private LocalRead poll(Supplier<LocalRead> read, ToLongFunction<VersionedValue> held, long wanted,
                           ReadPosition position, Duration wait, String behind) throws InterruptedException {
        long deadline = nanoClock.getAsLong() + wait.toNanos();
        long backoffMs = 5;
        while (true) {
            LocalRead current = read.get();
            if (current.outcome() != LocalRead.Outcome.FOUND && current.outcome() != LocalRead.Outcome.ABSENT) {
                return current;
            }
            long at = held.applyAsLong(current.value());
            if (at >= wanted) {
                return current;
            }
            long leftMs = (deadline - nanoClock.getAsLong()) / 1_000_000;
            if (leftMs <= 0) {
                return LocalRead.behind("the store of partition " + position.partition() + " here " + behind + at
                        + ", not yet at " + position + " within " + wait.toMillis() + " ms");
            }
            sleeper.sleep(Math.min(backoffMs, leftMs));
            backoffMs = Math.min(backoffMs * 2, 50);
        }
    }
}
