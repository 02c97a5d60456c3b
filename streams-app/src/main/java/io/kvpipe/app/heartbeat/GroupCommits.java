package io.kvpipe.app.heartbeat;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The offsets the application's consumer group has committed, for a primary whose task has not
 * committed since it started. Kafka Streams learns a task's committed offsets only from the task's
 * own commits, and a task commits only once it has consumed a record: after a restart with no
 * traffic its progress would stay unknown. Fetched in the background, never waited for (the caller
 * is the heartbeat, which must not stall), at most once per refresh interval, and only while asked.
 */
public final class GroupCommits {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommits.class);

    /** Fetches the committed offsets of a group; completes with them or fails. */
    @FunctionalInterface
    interface Fetch {
        KafkaFuture<Map<TopicPartition, OffsetAndMetadata>> committed();
    }

    private final Fetch fetch;
    private final long refreshMs;
    private final LongSupplier clock;
    private final AtomicBoolean fetching = new AtomicBoolean();
    private volatile Known known; // null until a fetch answers
    private volatile long nextFetchMs = Long.MIN_VALUE; // the first call fetches

    /** The offsets of the last fetch that answered, and when it was started. */
    private record Known(Map<TopicPartition, Long> offsets, long fetchedAtMs) {}

    GroupCommits(Fetch fetch, Duration refresh, LongSupplier clock) {
        this.fetch = fetch;
        this.refreshMs = refresh.toMillis();
        this.clock = clock;
    }

    /** The group {@code groupId}'s commits, read with {@code admin} (which the caller closes). */
    public static GroupCommits of(Admin admin, String groupId) {
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(groupId, "groupId");
        Duration refresh = Duration.ofSeconds(5);
        // Bounded by the refresh interval: a fetch waiting on an unreachable broker for the
        // default minute would hold back the next ones.
        ListConsumerGroupOffsetsOptions options = new ListConsumerGroupOffsetsOptions().timeoutMs((int) refresh.toMillis());
        return new GroupCommits(() -> admin.listConsumerGroupOffsets(groupId, options).partitionsToOffsetAndMetadata(),
                refresh, System::currentTimeMillis);
    }

    /** Never knows anything: progress stays unknown until the task's own first commit. */
    public static GroupCommits none() {
        return new GroupCommits(null, Duration.ZERO, System::currentTimeMillis);
    }

    /**
     * The offset the group last committed for {@code partition} (the next to consume), or -1 if
     * not known, or known only from a fetch older than two refresh intervals (the partition may
     * have been processed elsewhere since); starts a fetch if the last one is older than one.
     */
    public long committed(TopicPartition partition) {
        refreshIfDue();
        Known last = known;
        if (last == null || clock.getAsLong() - last.fetchedAtMs() > 2 * refreshMs) {
            return -1;
        }
        return last.offsets().getOrDefault(partition, -1L);
    }

    private void refreshIfDue() {
        if (fetch == null) {
            return;
        }
        long now = clock.getAsLong();
        if (now < nextFetchMs || !fetching.compareAndSet(false, true)) {
            return;
        }
        nextFetchMs = now + refreshMs;
        try {
            fetch.committed().whenComplete((committed, error) -> {
                try {
                    if (error != null) {
                        LOG.debug("Cannot read the group's committed offsets: {}", error.toString());
                        return;
                    }
                    Map<TopicPartition, Long> offsets = new HashMap<>();
                    committed.forEach((tp, offset) -> {
                        if (offset != null) {
                            offsets.put(tp, offset.offset());
                        }
                    });
                    known = new Known(Map.copyOf(offsets), now);
                } finally {
                    fetching.set(false);
                }
            });
        } catch (RuntimeException e) {
            fetching.set(false);
            LOG.debug("Cannot ask for the group's committed offsets: {}", e.toString());
        }
    }
}
