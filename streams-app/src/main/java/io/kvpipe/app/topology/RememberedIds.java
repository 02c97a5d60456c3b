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
 * Ids remembered in a window store of the {@link DedupLog} shape, for a memory, and looked up in
 * an in-memory index of it: for stores that are written rarely and read on every transaction.
 *
 * <p>Why the index: a window-store lookup seeks every time segment of RocksDB, a few per cent of
 * the stream thread when it is made per transaction, where a hash lookup costs nothing. The index
 * holds what the store holds within the memory (few entries) and is loaded from the store when the
 * task's processor starts (Kafka Streams restarts it whenever the store goes back to its
 * changelog). It forgets entries older than the memory when it remembers one, as the store does
 * when it is written (a window store hides what is older than the newest time it saw less its retention):
 * never at a lookup, which a wall clock that stepped forward and back again would make forget an
 * entry the store still holds. The {@link DedupLog#SEGMENT_KEEPER} entries are the store's own,
 * never an id.
 */
final class RememberedIds {

    private final DedupLog store;
    private final long memoryMs;
    /** Remembered time by id, in the order remembered (oldest first, unless the wall clock stepped back). */
    private final Map<String, Long> rememberedAt = new LinkedHashMap<>();

    /** Over a restored store of {@code memory}; reads it once. */
    RememberedIds(WindowStore<String, byte[]> ids, Duration memory) {
        this.store = new DedupLog(ids, memory);
        this.memoryMs = memory.toMillis();
        Map<String, Long> stored = new HashMap<>();
        try (KeyValueIterator<Windowed<String>, byte[]> all = ids.all()) {
            while (all.hasNext()) {
                KeyValue<Windowed<String>, byte[]> next = all.next();
                if (!next.key.key().equals(DedupLog.SEGMENT_KEEPER)) {
                    stored.merge(next.key.key(), next.key.window().start(), Math::max);
                }
            }
        }
        stored.entrySet().stream().sorted(Map.Entry.comparingByValue())
                .forEach(entry -> rememberedAt.put(entry.getKey(), entry.getValue()));
    }

    /** The store, as a {@link DedupLog}: for its {@link DedupLog#SEGMENT_KEEPER} entries. */
    DedupLog store() {
        return store;
    }

    /** Whether {@code id} is remembered at {@code nowMs}: as {@link DedupLog#find} would find it. */
    boolean contains(String id, long nowMs) {
        Long at = rememberedAt.get(id);
        return at != null && at >= nowMs - memoryMs;
    }

    /** Remembers {@code id}, with {@code value} in the store, from {@code nowMs} on. */
    void remember(String id, byte[] value, long nowMs) {
        forgetOlderThan(nowMs - memoryMs);
        store.remember(id, nowMs, value);
        rememberedAt.remove(id); // re-inserted last: the newest
        rememberedAt.put(id, nowMs);
    }

    /**
     * Drops the entries remembered first while they are older than {@code oldestKeptMs}, so the
     * index stays about as small as the memory.
     */
    private void forgetOlderThan(long oldestKeptMs) {
        Iterator<Long> oldestFirst = rememberedAt.values().iterator();
        while (oldestFirst.hasNext() && oldestFirst.next() < oldestKeptMs) {
            oldestFirst.remove();
        }
    }
}
