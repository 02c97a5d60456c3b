package io.kvpipe.app.topology;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The map of an in-flight store is what the store holds: loaded from it, and written through to it. */
class InFlightStoreTest {

    private KeyValueStore<String, String> store;

    @BeforeEach
    void openStore() {
        store = Stores.keyValueStoreBuilder(InFlightBytesStore.supplier("in-flight"), Serdes.String(), Serdes.String())
                .withLoggingDisabled()
                .build();
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        store.init(context.getStateStoreContext(), store);
    }

    @Test
    void whatTheStoreHoldsWhenTheTaskStartsIsReadFromTheMap() {
        store.put("a", "1");
        store.put("b", "2");

        InFlightStore<String> inFlight = new InFlightStore<>(store);

        assertThat(inFlight.get("a")).isEqualTo("1");
        assertThat(inFlight.get("b")).isEqualTo("2");
        assertThat(inFlight.get("c")).isNull();
        assertThat(inFlight.values()).containsExactlyInAnyOrder("1", "2");
    }

    @Test
    void putsAndDeletesReachTheStoreSoAReloadSeesThem() {
        store.put("kept", "old");
        store.put("deleted", "x");
        InFlightStore<String> inFlight = new InFlightStore<>(store);

        inFlight.put("kept", "new");
        inFlight.put("added", "y");
        inFlight.delete("deleted");
        inFlight.delete("never-there");

        assertThat(store.get("kept")).isEqualTo("new");
        assertThat(store.get("added")).isEqualTo("y");
        assertThat(store.get("deleted")).isNull();
        assertThat(store.approximateNumEntries()).isEqualTo(2);
        InFlightStore<String> reloaded = new InFlightStore<>(store);
        assertThat(reloaded.values()).containsExactlyInAnyOrder("new", "y");
        assertThat(inFlight.get("deleted")).isNull();
        assertThat(inFlight.get("kept")).isEqualTo("new");
    }

    @Test
    void aHeldEntryIsReadButNeverWrittenSoItIsGoneWhenTheTaskStartsAgain() {
        store.put("stored", "s");
        InFlightStore<String> inFlight = new InFlightStore<>(store);

        inFlight.hold("held", "h");
        assertThat(inFlight.get("held")).isEqualTo("h");
        assertThat(store.get("held")).isNull();

        inFlight.delete("held");
        assertThat(inFlight.get("held")).isNull();

        inFlight.hold("stored", "now held");
        assertThat(store.get("stored")).as("replaced by a held entry: not back after a restart").isNull();
        inFlight.hold("again", "h");
        inFlight.put("again", "stored now");
        inFlight.delete("stored");

        assertThat(new InFlightStore<>(store).values()).containsExactly("stored now");
        assertThat(inFlight.values()).containsExactly("stored now");
    }

    @Test
    void aKeyQueryThroughKafkaStreamsLayersFindsAnEntry() {
        // How GET /txn/{id} reads an undecided transaction: IQv2 through the metered store, which
        // serializes the key and deserializes the value around InFlightBytesStore's answer.
        store.put("txn-1", "state");

        QueryResult<String> found = store.query(KeyQuery.withKey("txn-1"), PositionBound.unbounded(), new QueryConfig(false));
        QueryResult<String> missing = store.query(KeyQuery.withKey("txn-2"), PositionBound.unbounded(), new QueryConfig(false));

        assertThat(found.isSuccess()).isTrue();
        assertThat(found.getResult()).isEqualTo("state");
        assertThat(missing.isSuccess()).isTrue();
        assertThat(missing.getResult()).isNull();
    }
}
