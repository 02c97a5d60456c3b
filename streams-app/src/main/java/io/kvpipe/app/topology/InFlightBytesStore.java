package io.kvpipe.app.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The bytes store beneath an {@link InFlightStore} ({@link StoreNames#LOCKS}, {@link StoreNames#TXNS}):
 * a hash map that Kafka Streams' changelogging and metered layers wrap like any in-memory store.
 *
 * <p>Why not Kafka Streams' own in-memory store: {@link InFlightStore} serves every read of the
 * stream thread from its own map, so this store is written on every lock and transaction change but
 * read only to rebuild that map when a task starts and by interactive queries of one key. Kafka's
 * store keeps a sorted map and, on every put, the position of the record being processed (for IQv2
 * position bounds, which nothing asks of these stores); in a profile of 2-key transactions those
 * puts were 6 % of the stream thread's processing time, half of it the position's bookkeeping. A
 * hash map put costs less, and no position is kept: queries get the empty position (see
 * {@link #query}).
 *
 * <p>Thread-safe for reads (interactive queries run on the query server's threads); written by one
 * thread at a time (the stream thread, or Kafka Streams' state updater while it restores the store).
 */
final class InFlightBytesStore implements KeyValueStore<Bytes, byte[]> {

    private final String name;
    private final Map<Bytes, byte[]> entries = new ConcurrentHashMap<>();
    /** What {@link #getPosition} answers on every changelogged put: never changed, so one instance. */
    private final Position none = Position.emptyPosition();
    private volatile boolean open;
    private volatile Integer partition;

    InFlightBytesStore(String name) {
        this.name = name;
    }

    /** A supplier of this store under {@code name}, for {@code Stores.keyValueStoreBuilder}. */
    static KeyValueBytesStoreSupplier supplier(String name) {
        return new KeyValueBytesStoreSupplier() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public KeyValueStore<Bytes, byte[]> get() {
                return new InFlightBytesStore(name);
            }

            @Override
            public String metricsScope() {
                return "in-memory";
            }
        };
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        partition = context.taskId().partition();
        context.register(root, (key, value) -> put(Bytes.wrap(key), value));
        open = true;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        entries.clear();
        open = false;
    }

    @Override
    public byte[] get(Bytes key) {
        return entries.get(key);
    }

    @Override
    public void put(Bytes key, byte[] value) {
        if (value == null) {
            entries.remove(key);
        } else {
            entries.put(key, value);
        }
    }

    @Override
    public byte[] putIfAbsent(Bytes key, byte[] value) {
        byte[] previous = entries.get(key);
        if (previous == null) {
            put(key, value);
        }
        return previous;
    }

    @Override
    public void putAll(List<KeyValue<Bytes, byte[]>> batch) {
        for (KeyValue<Bytes, byte[]> entry : batch) {
            put(entry.key, entry.value);
        }
    }

    @Override
    public byte[] delete(Bytes key) {
        return entries.remove(key);
    }

    /** The entries from {@code from} to {@code to}, both included, in key order (a sorted copy: a rare read). */
    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
        if (from != null && to != null && from.compareTo(to) > 0) {
            return iterator(new TreeMap<>());
        }
        NavigableMap<Bytes, byte[]> sorted = new TreeMap<>(entries);
        if (from != null) {
            sorted = sorted.tailMap(from, true);
        }
        if (to != null) {
            sorted = sorted.headMap(to, true);
        }
        return iterator(sorted);
    }

    /** Every entry in key order (a sorted copy, read when a task starts). */
    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return range(null, null);
    }

    @Override
    public long approximateNumEntries() {
        return entries.size();
    }

    /**
     * Answers a {@link KeyQuery} (what the query server asks of {@link StoreNames#TXNS}); any other
     * query is of an unknown type here. The result carries the empty position: this store keeps none,
     * so a query bounded by a position is answered not up to its bound, never served unchecked.
     */
    @Override
    @SuppressWarnings("unchecked")
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        QueryResult<R> result;
        if (!positionBound.isUnbounded()) {
            return QueryResult.notUpToBound(Position.emptyPosition(), positionBound, partition);
        }
        if (query instanceof KeyQuery<?, ?> keyQuery && keyQuery.getKey() instanceof Bytes key) {
            result = (QueryResult<R>) QueryResult.forResult(get(key));
        } else {
            result = QueryResult.forUnknownQueryType(query, this);
        }
        result.setPosition(Position.emptyPosition());
        return result;
    }

    /** Always the empty position: see the class comment. */
    @Override
    public Position getPosition() {
        return none;
    }

    private static KeyValueIterator<Bytes, byte[]> iterator(NavigableMap<Bytes, byte[]> sorted) {
        List<Map.Entry<Bytes, byte[]>> copy = new ArrayList<>(sorted.entrySet());
        return new KeyValueIterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < copy.size();
            }

            @Override
            public KeyValue<Bytes, byte[]> next() {
                Bytes key = peekNextKey();
                return KeyValue.pair(key, copy.get(next++).getValue());
            }

            @Override
            public Bytes peekNextKey() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return copy.get(next).getKey();
            }

            @Override
            public void close() {}
        };
    }
}
