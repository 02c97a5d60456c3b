package io.kvpipe.app.topology;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A task's store of what is in flight ({@link StoreNames#LOCKS}, {@link StoreNames#TXNS}), read
 * from a map of its entries as objects and written through to the store, whose changelog keeps them.
 *
 * <p>Why: these stores hold only what is in flight (thousands of entries, not millions) and are read
 * several times per transaction; a read of Kafka's in-memory store searches a sorted map of byte
 * keys and decodes the Avro value every time, which was a tenth of the stream thread under a
 * transaction load. The map is loaded from the store when the task's processor starts, and the task
 * is its only writer: Kafka Streams restarts the processor (and so reloads the map) whenever the
 * store goes back to its changelog, as after a failed step or transaction under exactly-once.
 * Values read are shared with the map: change one only to put it back.
 *
 * <p>An entry may also be only held ({@link #hold}): in the map, not in the store, for state that
 * its owner either keeps durable some other way and rebuilds when the task starts, or may lose
 * with the task's memory (a coordinator's transaction before any vote is counted).
 */
final class InFlightStore<V> {

    private final KeyValueStore<String, V> store;
    private final Map<String, V> entries = new HashMap<>();
    /** The keys of entries that are only held, not in the store. */
    private final Set<String> held = new HashSet<>();

    /** Over a restored store; reads it once. */
    InFlightStore(KeyValueStore<String, V> store) {
        this.store = store;
        try (KeyValueIterator<String, V> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, V> next = all.next();
                entries.put(next.key, next.value);
            }
        }
    }

    V get(String key) {
        return entries.get(key);
    }

    void put(String key, V value) {
        store.put(key, value);
        entries.put(key, value);
        held.remove(key);
    }

    /** Puts {@code key}'s entry in the map only: it is gone when the task starts again. */
    void hold(String key, V value) {
        if (entries.containsKey(key) && !held.contains(key)) {
            store.put(key, null); // a stored entry replaced by a held one must not come back on a restart
        }
        entries.put(key, value);
        held.add(key);
    }

    /**
     * Deletes {@code key}'s entry; a key without one, or with one only held, writes nothing (no tombstone).
     * A stored entry is deleted by putting null (the same tombstone): the store's {@code delete}
     * returns the old value, so it decodes the Avro of every entry it deletes, a third of its cost.
     */
    void delete(String key) {
        if (entries.remove(key) != null && !held.remove(key)) {
            store.put(key, null);
        }
    }

    /** Every entry's value, unmodifiable; for a scan at start-up. */
    Collection<V> values() {
        return Collections.unmodifiableCollection(entries.values());
    }
}
