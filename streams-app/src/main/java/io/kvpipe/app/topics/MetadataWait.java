package io.kvpipe.app.topics;

import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Asks Kafka again, for a bounded time, while its metadata does not show what was just done yet. A
 * topic that {@code createTopics} reported created may still be unknown to the broker that answers
 * the next describe (metadata propagates asynchronously, even on a single broker), and its
 * partitions may have no leader yet; both settle within moments, so the caller retries instead of
 * failing start-up on a race.
 */
public final class MetadataWait {

    /** Sleeps; tests pass one that advances a fake clock. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(long ms) throws InterruptedException;
    }

    static final long PAUSE_MS = 100;

    private final LongSupplier nanoClock;
    private final Sleeper sleeper;

    MetadataWait(LongSupplier nanoClock, Sleeper sleeper) {
        this.nanoClock = nanoClock;
        this.sleeper = sleeper;
    }

    public static MetadataWait system() {
        return new MetadataWait(System::nanoTime, Thread::sleep);
    }

    /**
     * Calls {@code attempt} until it returns non-null, pausing {@value #PAUSE_MS} ms between calls, for
     * at most {@code bound}; an exception from {@code attempt} ends the wait at once (only "not known
     * yet" is worth asking again).
     *
     * @return the first non-null answer, or empty if there was none within the bound
     * @throws InterruptedException if interrupted while pausing
     */
    public <T> Optional<T> until(Supplier<T> attempt, Duration bound) throws InterruptedException {
        long deadline = nanoClock.getAsLong() + bound.toNanos();
        while (true) {
            T answer = attempt.get();
            if (answer != null) {
                return Optional.of(answer);
            }
            long leftMs = (deadline - nanoClock.getAsLong()) / 1_000_000;
            if (leftMs <= 0) {
                return Optional.empty();
            }
            sleeper.sleep(Math.min(PAUSE_MS, leftMs));
        }
    }
}
