package io.kvpipe.app.topology;

import java.time.Duration;
import org.apache.kafka.streams.state.WindowStore;

/**
 * A participant's memory of the decisions that reached it before the prepare (or copy of the
 * request) of their transaction ({@link StoreNames#DECISIONS}), so that the late prepare locks
 * nothing. Every prepare looks its transaction up here and almost never finds it (only decisions
 * that overtook their prepare are remembered), so it is looked up in an in-memory index of the
 * store ({@link RememberedIds}).
 */
final class RememberedDecisions {

    private static final byte[] COMMITTED = {1};
    private static final byte[] ABORTED = {0};

    private final RememberedIds ids;

    /** Over a restored store of {@code memory}; reads it once. */
    RememberedDecisions(WindowStore<String, byte[]> decisions, Duration memory) {
        this.ids = new RememberedIds(decisions, memory);
    }

    /** Whether a decision on {@code transactionId} is remembered at {@code nowMs}. */
    boolean contains(String transactionId, long nowMs) {
        return ids.contains(transactionId, nowMs);
    }

    /** See {@link DedupLog#keepASegment}: this store is written rarely, so it often has no segment. */
    void keepASegment(long nowMs) {
        ids.store().keepASegment(nowMs);
    }

    /** Remembers the decision on {@code transactionId} from {@code nowMs} on. */
    void remember(String transactionId, boolean commit, long nowMs) {
        ids.remember(transactionId, commit ? COMMITTED : ABORTED, nowMs);
    }
}
