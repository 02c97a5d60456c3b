package io.kvpipe.app.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateRestoreCallback;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.query.FailureReason;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InFlightBytesStoreTest {

    private final InFlightBytesStore store = new InFlightBytesStore("locks");
    /** The restore callback the store registered, as Kafka Streams would call it from the changelog. */
    private final AtomicReference<StateRestoreCallback> restore = new AtomicReference<>();

    @BeforeEach
    void init() {
        store.init(contextCapturing(restore), store);
    }

    @Test
    void putsGetsAndDeletesAsAKeyValueStore() {
        store.put(key("a"), value("1"));
        store.put(key("a"), value("2"));
        assertArrayEquals(value("2"), store.get(key("a")));
        assertArrayEquals(value("2"), store.putIfAbsent(key("a"), value("3")));
        assertNull(store.putIfAbsent(key("b"), value("4")));
        assertArrayEquals(value("4"), store.get(key("b")));
        store.put(key("b"), null); // a tombstone, as the changelogging layer writes it
        assertNull(store.get(key("b")));
        assertArrayEquals(value("2"), store.delete(key("a")));
        assertNull(store.get(key("a")));
        store.putAll(List.of(KeyValue.pair(key("c"), value("5")), KeyValue.pair(key("d"), value("6"))));
        assertEquals(2, store.approximateNumEntries());
        assertFalse(store.persistent());
    }

    @Test
    void restoresFromTheChangelogPutsAndTombstones() {
        assertTrue(store.isOpen());
        restore.get().restore(bytes("tx-1"), value("lock"));
        restore.get().restore(bytes("tx-2"), value("lock"));
        restore.get().restore(bytes("tx-1"), null);
        assertNull(store.get(key("tx-1")));
        assertArrayEquals(value("lock"), store.get(key("tx-2")));

        store.close();
        assertFalse(store.isOpen());
        assertNull(store.get(key("tx-2")), "closing drops the entries: a reopened task restores them");
    }

    @Test
    void aRevivedTaskReinitialisesTheSameStoreAndRestoresOnlyWhatTheChangelogHolds() {
        // Under exactly-once a corrupted task is closed dirty and its stores initialised again (the
        // same instances) before the changelog is replayed: nothing of before may survive the close.
        store.put(key("aborted-write"), value("x"));
        store.close();
        store.init(contextCapturing(restore), store);
        restore.get().restore(bytes("committed"), value("lock"));

        assertTrue(store.isOpen());
        assertEquals(List.of("committed"), keys(store.all()));
    }

    @Test
    void iteratesAllAndRangesInKeyOrder() {
        for (String k : List.of("d", "b", "a", "c")) {
            store.put(key(k), value(k));
        }
        assertEquals(List.of("a", "b", "c", "d"), keys(store.all()));
        assertEquals(List.of("b", "c"), keys(store.range(key("b"), key("c"))));
        assertEquals(List.of("c", "d"), keys(store.range(key("c"), null)));
        assertEquals(List.of(), keys(store.range(key("c"), key("b"))));

        KeyValueIterator<Bytes, byte[]> it = store.range(key("d"), key("d"));
        assertEquals(key("d"), it.peekNextKey());
        assertArrayEquals(value("d"), it.next().value);
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::peekNextKey);
    }

    @Test
    void answersKeyQueriesWithTheEmptyPosition() {
        store.put(key("tx-1"), value("state"));
        QueryResult<byte[]> found = store.query(KeyQuery.withKey(key("tx-1")), PositionBound.unbounded(),
                new QueryConfig(false));
        assertTrue(found.isSuccess());
        assertArrayEquals(value("state"), found.getResult());
        assertEquals(Position.emptyPosition(), found.getPosition());

        QueryResult<byte[]> missing = store.query(KeyQuery.withKey(key("tx-2")), PositionBound.unbounded(),
                new QueryConfig(false));
        assertTrue(missing.isSuccess());
        assertNull(missing.getResult());

        // It keeps no position, so it cannot tell whether it is up to a bound: it never says it is.
        QueryResult<byte[]> bounded = store.query(KeyQuery.withKey(key("tx-1")),
                PositionBound.at(Position.emptyPosition().withComponent("kv-txn-protocol", 3, 5L)), new QueryConfig(false));
        assertTrue(bounded.isFailure());
        assertSame(FailureReason.NOT_UP_TO_BOUND, bounded.getFailureReason());

        QueryResult<KeyValueIterator<Bytes, byte[]>> range = store.query(RangeQuery.withNoBounds(),
                PositionBound.unbounded(), new QueryConfig(false));
        assertTrue(range.isFailure());
        assertSame(FailureReason.UNKNOWN_QUERY_TYPE, range.getFailureReason());
    }

    private static StateStoreContext contextCapturing(AtomicReference<StateRestoreCallback> callback) {
        return (StateStoreContext) Proxy.newProxyInstance(StateStoreContext.class.getClassLoader(),
                new Class<?>[] {StateStoreContext.class}, (proxy, method, args) -> {
                    if (method.getName().equals("register")) {
                        callback.set((StateRestoreCallback) args[1]);
                        return null;
                    }
                    if (method.getName().equals("taskId")) {
                        return new TaskId(0, 3);
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private static List<String> keys(KeyValueIterator<Bytes, byte[]> it) {
        List<String> keys = new ArrayList<>();
        try (it) {
            while (it.hasNext()) {
                keys.add(new String(it.next().key.get(), StandardCharsets.UTF_8));
            }
        }
        return keys;
    }

    private static Bytes key(String k) {
        return Bytes.wrap(bytes(k));
    }

    private static byte[] value(String v) {
        return bytes(v);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
