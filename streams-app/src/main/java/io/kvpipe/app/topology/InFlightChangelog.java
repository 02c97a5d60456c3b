package io.kvpipe.app.topology;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Topic configs of the changelogs of the in-memory stores of what is in flight
 * ({@link StoreNames#LOCKS}, {@link StoreNames#TXNS}).
 *
 * <p>An in-memory store is restored from the start of its changelog whenever a task opens without a
 * current replica (a restart, a move to an instance with no standby). Every entry of these stores is
 * written and then deleted within a transaction's life, so the changelog is almost all put and
 * tombstone pairs: compaction removes them, but only from closed segments and, for the tombstones,
 * after {@code delete.retention.ms}. Kafka's defaults (a 7-day or 1-GiB segment, tombstones kept a
 * day) would make every restore replay the day's transactions; these keep what a restore reads to
 * about the last {@link #TOMBSTONE_RETENTION} of traffic. A reader must get from a put to its
 * tombstone within that time, or it would keep a deleted lock: a standby or restoring task is
 * minutes behind at worst, so 15 minutes is a wide margin.
 */
final class InFlightChangelog {

    /** How long a tombstone outlives compaction, so that a reader behind still sees the delete. */
    static final Duration TOMBSTONE_RETENTION = Duration.ofMinutes(15);

    /** Segments roll this often under load, so that compaction can reach all but the newest minute. */
    static final Duration SEGMENT_AGE = Duration.ofMinutes(1);

    static final Map<String, String> CONFIG = Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
            TopicConfig.SEGMENT_MS_CONFIG, Long.toString(SEGMENT_AGE.toMillis()),
            TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.1",
            TopicConfig.DELETE_RETENTION_MS_CONFIG, Long.toString(TOMBSTONE_RETENTION.toMillis()));

    private InFlightChangelog() {}
}
