package io.kvpipe.app.topology;

import io.kvpipe.schemas.testing.InMemorySchemaRegistry;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.OutcomeStatus;
import io.kvpipe.schemas.serde.AvroSerde;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Forgetting expired outcomes is oldest first, bounded per run, and touches only what expired. */
class DedupLogTest {

    private KeyValueStore<String, Outcome> outcomes;
    private KeyValueStore<Bytes, byte[]> expiry;
    private DedupLog log;

    @BeforeEach
    void stores() {
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        outcomes = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(StoreNames.DEDUP), Serdes.String(),
                AvroSerde.forValues(Outcome.class, new InMemorySchemaRegistry())).withLoggingDisabled().build();
        expiry = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(DedupLog.EXPIRY_STORE), Serdes.Bytes(),
                Serdes.ByteArray()).withLoggingDisabled().build();
        outcomes.init(context.getStateStoreContext(), outcomes);
        expiry.init(context.getStateStoreContext(), expiry);
        log = new DedupLog(outcomes, expiry);
    }

    @Test
    void forgetsOldestFirstAtMostTheBatchPerRun() {
        for (int i = 0; i < 10; i++) {
            log.remember(outcome("r" + i, 1_000L + i));
        }

        assertThat(log.forgetBefore(1_005L, 3)).isEqualTo(3);
        assertThat(remembered()).containsExactly("r3", "r4", "r5", "r6", "r7", "r8", "r9");
        assertThat(log.forgetBefore(1_005L, 3)).isEqualTo(2);
        assertThat(log.forgetBefore(1_005L, 3)).isZero();
        assertThat(remembered()).containsExactly("r5", "r6", "r7", "r8", "r9");
        assertThat(indexSize()).isEqualTo(5);
    }

    @Test
    void theCutoffIsExclusive() {
        log.remember(outcome("at-cutoff", 2_000L));
        log.remember(outcome("before", 1_999L));

        log.forgetBefore(2_000L, 100);

        assertThat(log.find("before")).isNull();
        assertThat(log.find("at-cutoff")).isNotNull();
    }

    @Test
    void aRequestIdRememberedAgainAfterItWasForgottenIsKeptForItsNewTime() {
        log.remember(outcome("r", 1_000L));
        log.forgetBefore(1_500L, 100);
        log.remember(outcome("r", 2_000L));

        assertThat(log.forgetBefore(1_800L, 100)).isZero();
        assertThat(log.find("r").getTimestampMs()).isEqualTo(2_000L);
    }

    @Test
    void anIndexEntryWhoseOutcomeWasReplacedDoesNotForgetTheNewerOutcome() {
        log.remember(outcome("r", 1_000L));
        log.remember(outcome("r", 2_000L));

        assertThat(log.forgetBefore(1_500L, 100)).isEqualTo(1);
        assertThat(log.find("r").getTimestampMs()).isEqualTo(2_000L);
        assertThat(log.forgetBefore(2_001L, 100)).isEqualTo(1);
        assertThat(log.find("r")).isNull();
        assertThat(indexSize()).isZero();
    }

    @Test
    void anOutcomeRememberedWithAnEarlierTimeThanAPurgeIsStillForgotten() {
        log.remember(outcome("late", 5_000L));
        log.forgetBefore(4_000L, 100);
        // The wall clock stepped back: an entry older than the last cutoff appears.
        log.remember(outcome("stepped-back", 3_000L));

        assertThat(log.forgetBefore(4_500L, 100)).isEqualTo(1);
        assertThat(log.find("stepped-back")).isNull();
        assertThat(log.find("late")).isNotNull();
    }

    private List<String> remembered() {
        List<String> ids = new ArrayList<>();
        try (KeyValueIterator<String, Outcome> all = outcomes.all()) {
            all.forEachRemaining(kv -> ids.add(kv.key));
        }
        ids.sort(null);
        return ids;
    }

    private int indexSize() {
        int n = 0;
        try (KeyValueIterator<Bytes, byte[]> all = expiry.all()) {
            for (; all.hasNext(); all.next()) {
                n++;
            }
        }
        return n;
    }

    private static Outcome outcome(String requestId, long atMs) {
        return Outcome.newBuilder().setRequestId(requestId).setStatus(OutcomeStatus.COMMITTED).setTimestampMs(atMs)
                .build();
    }
}
