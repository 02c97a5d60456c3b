package io.kvpipe.app.topology;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.WindowStore;

/**
 * A participant's memory of the decisions that reached it before the prepare (or copy of the
 * request) of their transaction ({@link StoreNames#DECISIONS}), so that the late prepare locks
 * nothing. Kept in a {@link DedupLog} store for the decision memory, and looked up in an in-memory
 * index of it.
 *
 * <p>Why the index: every prepare looks its transaction up here, and almost never finds it (only
 * decisions that overtook their prepare are remembered); a window-store lookup seeks every time
 * segment of RocksDB, about 4 % of the stream thread under a transaction load, where a hash lookup
 * costs nothing. The index holds what the store holds within the memory (few entries), is loaded
 * from the store when the task's processor starts (Kafka Streams restarts it whenever the store
 * goes back to its changelog), and forgets entries as they age out, oldest first.
 */
final class RememberedDecisions {

    private static final byte[] COMMITTED = {1};
    private static final byte[] ABORTED = {0};

    private final DedupLog store;
    private final long memoryMs;
    /** Remembered time by transaction id, oldest first (wall-clock times of one task grow). */
    private final Map<String, Long> rememberedAt = new LinkedHashMap<>();

    /** Over a restored store of {@code memory}; reads it once. */
    RememberedDecisions(WindowStore<String, byte[]> decisions, Duration memory) {
        this.store = new DedupLog(decisions, memory);
        this.memoryMs = memory.toMillis();
        Map<String, Long> stored = new HashMap<>();
        try (KeyValueIterator<Windowed<String>, byte[]> all = decisions.all()) {
            while (all.hasNext()) {
                KeyValue<Windowed<String>, byte[]> next = all.next();
                stored.merge(next.key.key(), next.key.window().start(), Math::max);
            }
        }
        stored.entrySet().stream().sorted(Map.Entry.comparingByValue())
                .forEach(entry -> rememberedAt.put(entry.getKey(), entry.getValue()));
    }

    /** Whether a decision on {@code transactionId} is remembered at {@code nowMs}. */
    boolean contains(String transactionId, long nowMs) {
        long oldestKeptMs = nowMs - memoryMs;
        forgetOlderThan(oldestKeptMs);
        Long at = rememberedAt.get(transactionId);
        return at != null && at >= oldestKeptMs; // exact even if the clock stepped back
    }

    /** See {@link DedupLog#keepASegment}: this store is written rarely, so it often has no segment. */
    void keepASegment(long nowMs) {
        store.keepASegment(nowMs);
    }

    /** Remembers the decision on {@code transactionId} from {@code nowMs} on. */
    void remember(String transactionId, boolean commit, long nowMs) {
        store.remember(transactionId, nowMs, commit ? COMMITTED : ABORTED);
        rememberedAt.remove(transactionId); // re-inserted last: the newest
        rememberedAt.put(transactionId, nowMs);
    }

    /**
     * Drops the oldest entries while the store forgets them too (see {@link DedupLog}: kept while
     * {@code at >= nowMs - memory}), so the index stays as small as the memory.
     */
    private void forgetOlderThan(long oldestKeptMs) {
        Iterator<Long> oldestFirst = rememberedAt.values().iterator();
        while (oldestFirst.hasNext() && oldestFirst.next() < oldestKeptMs) {
            oldestFirst.remove();
        }
    }
}
