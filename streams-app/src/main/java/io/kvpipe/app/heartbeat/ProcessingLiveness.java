package io.kvpipe.app.heartbeat;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Proof that stream threads are processing: the topology ticks it from its processing path (each
 * record and a wall-clock punctuator), the heartbeat publisher reads it. A thread that stops
 * processing stops ticking, so the instance stops beating even while the consumer's own network
 * heartbeat keeps it in the group.
 */
public final class ProcessingLiveness {

    private final Map<String, Long> lastTickMs = new ConcurrentHashMap<>();
    private final LongSupplier clock;

    public ProcessingLiveness() {
        this(System::currentTimeMillis);
    }

    public ProcessingLiveness(LongSupplier clock) {
        this.clock = clock;
    }

    /** Records that the calling stream thread is processing now. */
    public void tick() {
        lastTickMs.put(Thread.currentThread().getName(), clock.getAsLong());
    }

    /** The last tick of each thread that ever ticked, by thread name (epoch ms). */
    public Map<String, Long> lastTicks() {
        return Map.copyOf(lastTickMs);
    }

    /** Forgets a thread (it was replaced or shut down). */
    public void forget(String threadName) {
        lastTickMs.remove(threadName);
    }
}
