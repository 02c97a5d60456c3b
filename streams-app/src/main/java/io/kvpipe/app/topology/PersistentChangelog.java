package io.kvpipe.app.topology;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Topic configs of the changelogs of the persistent stores: {@link StoreNames#KV} (compacted) and
 * the window stores {@link StoreNames#DEDUP}, {@link StoreNames#DECISIONS} and
 * {@link StoreNames#UNBEGUN} ({@code compact,delete} with a time retention, which Kafka Streams sets).
 *
 * <p>Why: the broker compacts and deletes only closed segments, and Kafka's default segment is
 * 1 GiB (or 7 days). A {@code kv} changelog holds one record per write, so with the default it kept
 * up to a gigabyte per partition of overwritten values that a replica being built (a new standby,
 * a task moved to an instance without one) reads in full: one {@code bench --txn-keys 2,4} on the
 * embedded default left 357 MB in it for a state of a few MB. The window stores' entries are
 * unique request ids, so only the time retention removes them, and only once their segment rolls.
 * Smaller segments keep each changelog near its store's size (the state, or the retention's worth
 * of outcomes) plus one segment.
 */
final class PersistentChangelog {

    /** A changelog's active segment, the part compaction and retention cannot reach: 64 MiB, not 1 GiB. */
    static final int SEGMENT_BYTES = 64 * 1024 * 1024;

    /** A window store changelog's segments roll at least this often, so that retention drops them on time. */
    static final Duration WINDOW_SEGMENT_AGE = Duration.ofHours(1);

    /** The {@code kv} store's changelog. */
    static final Map<String, String> KV = Map.of(
            TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(SEGMENT_BYTES));

    /** The window stores' changelogs; Kafka Streams adds the cleanup policy and the retention. */
    static final Map<String, String> WINDOWED = Map.of(
            TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(SEGMENT_BYTES),
            TopicConfig.SEGMENT_MS_CONFIG, Long.toString(WINDOW_SEGMENT_AGE.toMillis()));

    private PersistentChangelog() {}
}
