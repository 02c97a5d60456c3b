package io.kvpipe.app.topology;

import java.nio.ByteBuffer;
import java.time.Duration;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The cross-partition transactions this partition's coordinator aborted on their votes alone
 * ({@link StoreNames#UNBEGUN}): the request never reached it by the deadline, or was begun and then
 * forgotten in a failover (see {@link Coordinator}). Kept for the dedup retention, and looked up in
 * an in-memory index ({@link RememberedIds}).
 *
 * <p>Why: such an abort is the only outcome the dedup store can hold for a request its partition
 * has not read, so a fresh request ({@code Request.freshId}: no earlier record carries its id)
 * needs the dedup store's search, a RocksDB seek per time segment and a tenth or more of the stream
 * thread's time per 2-key transaction, only when its id is here. A retry is not fresh, and is
 * always searched.
 *
 * <p>That holds only while the index is complete: while every such abort the dedup store holds
 * was remembered here too. The marker, an entry under {@link #MARKER} (which also gives the store
 * the segment {@link DedupLog#keepASegment} is for), says until when an abort may have been
 * remembered elsewhere only (none, or a time); it is written at the task's first punctuation and
 * again every interval (an hour, or a quarter of a shorter retention). The index is complete a
 * retention and a margin (the interval) after that time. When the task starts, that time is:
 * <ul>
 *   <li>now, when a version that keeps no such index started the task within the retention (an
 *       upgrade, a rolling one, or a rollback and a new upgrade; its segment keeper in the dedup
 *       store says so, {@link DedupLog#keptByAnEarlierVersion});</li>
 *   <li>else the latest that the markers written within the retention less the margin say (while
 *       the task runs, the newest is at most an interval old). Older ones, as after a long stop,
 *       say nothing: a version that kept no index may have run the task since, and its start be
 *       forgotten by the dedup store;</li>
 *   <li>else none, when the dedup store holds no outcome: nothing to miss;</li>
 *   <li>else now.</li>
 * </ul>
 * Until complete, every fresh cross-partition request is searched. The margin covers wall clocks of
 * instances that differ, or that stepped back, by less than the interval.
 */
final class UnbegunAborts {

    /** The key of the marker: the store's {@link DedupLog#SEGMENT_KEEPER}, which no transaction id is. */
    static final String MARKER = DedupLog.SEGMENT_KEEPER;
    /** The longest interval between markers, and the longest margin. */
    static final Duration MAX_MARK_INTERVAL = Duration.ofHours(1);
    /** The marker's value when no abort was remembered elsewhere only. */
    private static final long NONE = Long.MIN_VALUE;

    private static final byte[] ABORTED = {0};

    private final RememberedIds ids;
    private final DedupLog dedup;
    /** How often the marker is written, and the margin: an hour, or a quarter of a shorter retention. */
    private final long markIntervalMs;
    /** Until when an abort may have been remembered in the dedup store only, or {@link #NONE}. */
    private final long unindexedUntilMs;
    /** From when the index holds every abort of an unread request that the dedup store holds. */
    private final long completeFromMs;
    private long markedAtMs;
    private boolean marked;

    /**
     * Over the restored stores of the task's processor, at wall-clock time {@code nowMs}; reads the
     * index store once, and looks into {@code dedup} for its segment keepers and, when no marker
     * counts, for any outcome.
     */
    UnbegunAborts(WindowStore<String, byte[]> store, DedupLog dedup, Duration retention, long nowMs) {
        this.ids = new RememberedIds(store, retention);
        this.dedup = dedup;
        long retentionMs = retention.toMillis();
        this.markIntervalMs = Math.max(1L, Math.min(MAX_MARK_INTERVAL.toMillis(), retentionMs / 4));
        this.unindexedUntilMs = unindexedUntil(dedup, nowMs - retentionMs + markIntervalMs, nowMs);
        this.completeFromMs = unindexedUntilMs == NONE ? NONE : unindexedUntilMs + retentionMs + markIntervalMs + 1;
    }

    private long unindexedUntil(DedupLog dedup, long markersFromMs, long nowMs) {
        if (dedup.keptByAnEarlierVersion(nowMs)) {
            return nowMs;
        }
        Long latest = null;
        try (WindowStoreIterator<byte[]> markers = ids.store().since(MARKER, markersFromMs)) {
            while (markers.hasNext()) {
                byte[] value = markers.next().value;
                if (value.length == Long.BYTES) {
                    long until = ByteBuffer.wrap(value).getLong();
                    latest = latest == null ? until : Math.max(latest, until);
                }
            }
        }
        if (latest != null) {
            return latest;
        }
        return dedup.holdsNothing() ? NONE : nowMs;
    }

    /**
     * Whether the dedup store may hold an outcome of request {@code requestId}, which this
     * partition has not read, at {@code nowMs}: it was aborted here on its votes alone, or the
     * index is not complete yet.
     */
    boolean mayHaveAborted(String requestId, long nowMs) {
        return nowMs < completeFromMs || ids.contains(requestId, nowMs);
    }

    /** Remembers that {@code transactionId} was aborted on its votes alone at {@code nowMs}. */
    void remember(String transactionId, long nowMs) {
        ids.remember(transactionId, ABORTED, nowMs);
    }

    /**
     * Writes the marker, and a segment keeper into the dedup store (so that its newest time is never
     * behind this store's), unless this processor did so less than an interval ago. Called from
     * punctuations, never from {@code init} (see {@link DedupLog#keepASegment}).
     */
    void keepMarker(long nowMs) {
        if (marked && nowMs >= markedAtMs && nowMs - markedAtMs < markIntervalMs) {
            return;
        }
        ids.store().remember(MARKER, nowMs, ByteBuffer.allocate(Long.BYTES).putLong(unindexedUntilMs).array());
        dedup.keepASegment(nowMs);
        markedAtMs = nowMs;
        marked = true;
    }
}
