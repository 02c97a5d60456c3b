package io.kvpipe.producers.client.internals;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Finds how many partitions a topic has, asking again for a bounded time while Kafka's metadata
 * does not show the topic: right after a topic is created, the broker that answers a metadata
 * request may not know it yet (no partitions, or {@link UnknownTopicOrPartitionException}), and a
 * client started at that moment should not fail for it. A topic that is still unknown when the
 * bound is over does not exist, and {@link #partitionCount} says so.
 */
public final class TopicLookup {

    /** Sleeps; tests pass one that advances a fake clock. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(long ms) throws InterruptedException;
    }

    /** The longest a topic may take to appear; far above metadata propagation, short for a real typo. */
    public static final Duration APPEAR_WITHIN = Duration.ofSeconds(10);
    static final long PAUSE_MS = 100;

    private final LongSupplier nanoClock;
    private final Sleeper sleeper;

    public TopicLookup(LongSupplier nanoClock, Sleeper sleeper) {
        this.nanoClock = nanoClock;
        this.sleeper = sleeper;
    }

    public static TopicLookup system() {
        return new TopicLookup(System::nanoTime, Thread::sleep);
    }

    /**
     * @param partitionsFor one metadata lookup, given how long it may take
     * @param bound how long to keep asking
     * @return the topic's partition count
     * @throws MissingTopicException if the topic is still unknown when the bound is over
     * @throws org.apache.kafka.common.errors.TimeoutException if Kafka does not answer a lookup
     * @throws InterruptException if interrupted while pausing
     */
    public int partitionCount(String topic, Function<Duration, List<PartitionInfo>> partitionsFor, Duration bound) {
        long start = nanoClock.getAsLong();
        long deadline = start + bound.toNanos();
        while (true) {
            long leftNanos = deadline - nanoClock.getAsLong();
            List<PartitionInfo> partitions;
            try {
                partitions = partitionsFor.apply(Duration.ofNanos(Math.max(1_000_000, leftNanos)));
            } catch (UnknownTopicOrPartitionException e) {
                partitions = null;
            }
            if (partitions != null && !partitions.isEmpty()) {
                return partitions.size();
            }
            long leftMs = (deadline - nanoClock.getAsLong()) / 1_000_000;
            if (leftMs <= 0) {
                throw new MissingTopicException(topic, (nanoClock.getAsLong() - start) / 1_000_000);
            }
            try {
                sleeper.sleep(Math.min(PAUSE_MS, leftMs));
            } catch (InterruptedException e) {
                throw new InterruptException(e); // keeps the thread's interrupt flag set
            }
        }
    }

    /** The topic was not in Kafka's metadata for as long as the lookup asked. */
    public static final class MissingTopicException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final String topic;

        MissingTopicException(String topic, long askedForMs) {
            super("topic " + topic + " does not exist (Kafka's metadata did not show it within " + askedForMs
                    + " ms; is the pipeline provisioned, with this topic prefix?)");
            this.topic = topic;
        }

        public String topic() {
            return topic;
        }
    }
}
