package io.kvpipe.app.query;

import io.kvpipe.schemas.ReadPosition;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Waits for the version form of a read position ({@code <partition>:v<version>}): re-reads the key
 * until the store holds it at that version or later (an absent key counts as version 0), with a
 * short growing back-off (5 ms doubling to 50 ms), for at most the wait. Polling is the only way:
 * a commit that wrote nothing at a known offset left no store position to wait on, and reads of
 * the local store are cheap.
 */
final class VersionWait {

    /** Sleeps; the test double records instead. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(long ms) throws InterruptedException;
    }

    private final LongSupplier nanoClock;
    private final Sleeper sleeper;

    VersionWait(LongSupplier nanoClock, Sleeper sleeper) {
        this.nanoClock = nanoClock;
        this.sleeper = sleeper;
    }

    static VersionWait system() {
        return new VersionWait(System::nanoTime, Thread::sleep);
    }

    /**
     * @param read one read of the key from the local store
     * @return the first read that found the key at the version or later (or found no key, when
     *     version 0 is wanted), any read that did not find out (not here, failed), or {@link
     *     LocalRead.Outcome#BEHIND} once the wait is over
     */
    LocalRead await(Supplier<LocalRead> read, ReadPosition position, Duration wait) throws InterruptedException {
        long deadline = nanoClock.getAsLong() + wait.toNanos();
        long backoffMs = 5;
        while (true) {
            LocalRead current = read.get();
            if (current.outcome() != LocalRead.Outcome.FOUND && current.outcome() != LocalRead.Outcome.ABSENT) {
                return current;
            }
            long held = current.value() == null ? 0 : current.value().getVersion();
            if (held >= position.version()) {
                return current;
            }
            long leftMs = (deadline - nanoClock.getAsLong()) / 1_000_000;
            if (leftMs <= 0) {
                return LocalRead.behind("the store of partition " + position.partition() + " here holds the key at version "
                        + held + ", not yet at " + position + " within " + wait.toMillis() + " ms");
            }
            sleeper.sleep(Math.min(backoffMs, leftMs));
            backoffMs = Math.min(backoffMs * 2, 50);
        }
    }
}
