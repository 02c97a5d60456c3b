package io.kvpipe.app.topology;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
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
 */
final class InFlightStore<V> {

    private final KeyValueStore<String, V> store;
    private final Map<String, V> entries = new HashMap<>();

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
    }

    /** Deletes {@code key}'s entry; a key without one writes nothing (no tombstone). */
    void delete(String key) {
        if (entries.remove(key) != null) {
            store.delete(key);
        }
    }

    /** Every entry's value, unmodifiable; for a scan at start-up. */
    Collection<V> values() {
        return Collections.unmodifiableCollection(entries.values());
    }
}
