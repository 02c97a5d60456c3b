package io.kvpipe.app.topology;

import static io.kvpipe.app.topology.Requests.add;
import static io.kvpipe.app.topology.Requests.put;
import static io.kvpipe.app.topology.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.app.heartbeat.ProcessingLiveness;
import io.kvpipe.avro.ChangeEvent;
import io.kvpipe.avro.Decision;
import io.kvpipe.avro.KeyVersion;
import io.kvpipe.avro.Lock;
import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.OutcomeStatus;
import io.kvpipe.avro.ProtocolMessage;
import io.kvpipe.avro.RejectReason;
import io.kvpipe.avro.ReplyTo;
import io.kvpipe.avro.Request;
import io.kvpipe.avro.TransactionState;
import io.kvpipe.avro.VersionedValue;
import io.kvpipe.avro.Vote;
import io.kvpipe.schemas.ProtocolValue;
import io.kvpipe.schemas.Topics;
import io.kvpipe.schemas.serde.AvroDeserializer;
import io.kvpipe.schemas.serde.AvroSerde;
import io.kvpipe.schemas.serde.AvroSerializer;
import io.kvpipe.schemas.testing.InMemorySchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator's own locks are held in memory only, kept durable by its {@code txns} entry: a
 * task that starts again mid-transaction (a new processor over the restored stores, as Kafka
 * Streams does after a crash, a rebalance or a failed step) takes them again and commits its
 * staged write. The stores here log nothing: what they hold is what a restore from their
 * changelogs gives the new processor.
 */
class CoordinatorRestartTest {

    private static final long NOW = Pipeline.START.toEpochMilli();

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final Topics topics = Topics.defaults();
    private final TopologySettings settings = TopologySettings.builder().topics(topics)
            .requestPartitions(Keys.PARTITIONS).registry(registry).liveness(new ProcessingLiveness())
            .instanceId("i").build();
    @TempDir
    Path stateDir;
    private MockProcessorContext<String, Object> context;
    private final AvroSerializer<Request> requestWriter = new AvroSerializer<>(registry, false);
    private final AvroSerializer<Object> protocolWriter = new AvroSerializer<>(registry, false, ProtocolValue.SCHEMA);
    private final String here = Keys.on(0, "acct:", 1).get(0);
    private final String onThree = Keys.on(3, "acct:", 1).get(0);
    private long offset;

    @BeforeEach
    void openStores() {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "kvpipe-restart-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        context = new MockProcessorContext<>(config, new TaskId(0, 0), stateDir.toFile());
        context.setCurrentSystemTimeMs(NOW);
        open(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(StoreNames.KV), Serdes.String(),
                AvroSerde.forValues(VersionedValue.class, registry)));
        open(Stores.keyValueStoreBuilder(InFlightBytesStore.supplier(StoreNames.LOCKS), Serdes.String(),
                AvroSerde.forValues(Lock.class, registry)));
        open(Stores.keyValueStoreBuilder(InFlightBytesStore.supplier(StoreNames.TXNS), Serdes.String(),
                AvroSerde.forValues(TransactionState.class, registry)));
        open(DedupLog.storeBuilder(settings.dedupRetention()));
        open(DedupLog.storeBuilder(StoreNames.DECISIONS, settings.decisionMemory()));
        open(DedupLog.storeBuilder(StoreNames.UNBEGUN, settings.dedupRetention()));
    }

    private void open(StoreBuilder<? extends StateStore> builder) {
        StateStore store = builder.withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
    }

    @Test
    void aRestartedCoordinatorHoldsItsOwnKeysAgainAndCommitsItsStagedWrite() {
        TaskProcessor before = started();
        sendRequest(before, request("seed", put(here, "100")));
        sendRequest(before, request("t1", add(here, -30, 0L), add(onThree, 30)));
        assertThat(txns().get("t1")).as("begun, waiting for partition 3's vote").isNotNull();
        assertThat(locks().approximateNumEntries()).as("its own lock is only held, never written").isZero();

        TaskProcessor after = started();

        sendRequest(after, request("w", put(here, "around")));
        assertThat(lastOutcome().getReason()).as("the write meets t1's lock again").isEqualTo(RejectReason.LOCK_CONFLICT);
        assertThat(kv().get(here).getValue()).isEqualTo("100");

        sendProtocol(after, new ProtocolMessage("t1", 0, 0, NOW,
                new Vote(3, true, null, null, null, List.of(new KeyVersion(onThree, 4L, 3, -1L)), null, null)));

        Outcome committed = lastOutcome();
        assertThat(committed.getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
        assertThat(kv().get(here).getValue()).as("the write staged before the restart").isEqualTo("70");
        assertThat(kv().get(here).getTransactionId()).isEqualTo("t1");
        assertThat(forwarded(RequestTopology.CHANGES_SINK)).last()
                .satisfies(change -> assertThat(((ChangeEvent) change).getTransactionId()).isEqualTo("t1"));
        assertThat(txns().get("t1")).isNull();
        assertThat(locks().approximateNumEntries()).as("nothing written for the released lock either").isZero();

        sendRequest(after, request("w2", put(here, "free")));
        assertThat(lastOutcome().getStatus()).as("released at the commit").isEqualTo(OutcomeStatus.COMMITTED);
    }

    @Test
    void aTransactionHeldInMemoryIsForgottenInARestartAndItsVoteAbortsItAtTheDeadlineTellingTheClient() {
        TaskProcessor before = started();
        sendRequest(before, request("seed", put(here, "100")));
        Request transfer = request("t2", add(here, -30, 0L), add(onThree, 30));
        transfer.setSentToParticipants(true);
        sendRequest(before, transfer);
        assertThat(txns().get("t2")).as("held in memory only").isNull();
        assertThat(settings.heldTransactions().find(0, "t2")).isPresent();

        TaskProcessor after = started();
        assertThat(settings.heldTransactions().find(0, "t2")).as("forgotten with the task's memory").isEmpty();
        sendRequest(after, request("w", add(here, 1)));
        assertThat(lastOutcome().getStatus()).as("its own lock is forgotten too").isEqualTo(OutcomeStatus.COMMITTED);

        // Partition 3 prepared on its copy and votes: to this coordinator, a vote before its request.
        long deadline = NOW + 5_000;
        sendProtocol(after, new ProtocolMessage("t2", 0, 0, NOW, new Vote(3, true, null, null, null,
                List.of(new KeyVersion(onThree, 4L, 3, -1L)), deadline, new ReplyTo("client-1", 6))));
        assertThat(txns().get("t2").getRequest()).isNull();
        punctuateAt(deadline);
        assertThat(forwarded(RequestTopology.PROTOCOL_SINK)).as("not before the deadline")
                .noneMatch(m -> "t2".equals(((ProtocolMessage) m).getTransactionId()));

        punctuateAt(deadline + 1);

        assertThat(forwarded(RequestTopology.PROTOCOL_SINK)).last().satisfies(m -> {
            ProtocolMessage message = (ProtocolMessage) m;
            assertThat(message.getTargetPartition()).isEqualTo(3);
            assertThat(((Decision) message.getBody()).getCommit()).as("partition 3 releases its lock").isFalse();
        });
        Reply reply = (Reply) forwarded(RequestTopology.RESULTS_SINK).get(forwarded(RequestTopology.RESULTS_SINK).size() - 1);
        assertThat(reply.partition()).as("the client is told, at the address the vote carried").isEqualTo(6);
        Outcome aborted = lastOutcome();
        assertThat(aborted.getRequestId()).isEqualTo("t2");
        assertThat(aborted.getStatus()).isEqualTo(OutcomeStatus.ABORTED);
        assertThat(aborted.getReason()).isEqualTo(RejectReason.TIMEOUT);
        assertThat(kv().get(here).getValue()).as("nothing of t2 applied").isEqualTo("101");
        assertThat(txns().get("t2")).isNull();

        sendRequest(after, transfer);
        assertThat(lastOutcome()).as("a retry gets the abort").isEqualTo(aborted);
    }

    @Test
    void anAbortOfVotesWhoseRequestWasNotReadOutlivesARestartAndTheFreshRequestGetsIt() {
        TaskProcessor before = started();
        long deadline = NOW + 5_000;
        sendProtocol(before, new ProtocolMessage("t3", 0, 0, NOW, new Vote(3, true, null, null, null,
                List.of(new KeyVersion(onThree, 4L, 3, -1L)), deadline, new ReplyTo("client-1", 6))));
        punctuateAt(deadline + 1);
        Outcome aborted = lastOutcome();
        assertThat(aborted.getRequestId()).isEqualTo("t3");
        assertThat(aborted.getReason()).isEqualTo(RejectReason.TIMEOUT);

        TaskProcessor after = started();
        Request late = Requests.fresh(request("t3", add(here, -30, 0L), add(onThree, 30)));
        late.setSentToParticipants(true);
        int repliesBefore = forwarded(RequestTopology.RESULTS_SINK).size();
        sendRequest(after, late);

        assertThat(forwarded(RequestTopology.RESULTS_SINK)).hasSize(repliesBefore + 1);
        assertThat(lastOutcome()).as("the remembered abort, found though the request is fresh").isEqualTo(aborted);
        assertThat(forwarded(RequestTopology.PROTOCOL_SINK)).as("no decision sent again")
                .filteredOn(m -> "t3".equals(((ProtocolMessage) m).getTransactionId())).hasSize(1);
        assertThat(settings.heldTransactions().find(0, "t3")).as("nothing begun").isEmpty();
        sendRequest(after, request("w", put(here, "free")));
        assertThat(lastOutcome().getStatus()).as("no lock taken").isEqualTo(OutcomeStatus.COMMITTED);
    }

    private void punctuateAt(long timeMs) {
        context.setCurrentSystemTimeMs(timeMs);
        context.scheduledPunctuators().forEach(p -> p.getPunctuator().punctuate(timeMs));
    }

    /** A new processor over the stores as they are, as Kafka Streams starts one. */
    private TaskProcessor started() {
        TaskProcessor processor = new TaskProcessor(settings);
        processor.init(context);
        return processor;
    }

    private void sendRequest(TaskProcessor processor, Request request) {
        byte[] key = request.getOps().get(0).getKey().getBytes(StandardCharsets.UTF_8);
        context.setRecordMetadata(topics.requests(), 0, offset++);
        processor.process(new Record<>(key, requestWriter.serialize(topics.requests(), request), NOW));
    }

    private void sendProtocol(TaskProcessor processor, ProtocolMessage message) {
        byte[] key = message.getTransactionId().getBytes(StandardCharsets.UTF_8);
        context.setRecordMetadata(topics.txnProtocol(), 0, offset++);
        processor.process(new Record<>(key, protocolWriter.serialize(topics.txnProtocol(), message), NOW));
    }

    private List<Object> forwarded(String sink) {
        return context.forwarded().stream()
                .filter(f -> f.childName().filter(sink::equals).isPresent())
                .<Object>map(f -> f.record().value())
                .toList();
    }

    private Outcome lastOutcome() {
        List<Object> replies = forwarded(RequestTopology.RESULTS_SINK);
        assertThat(replies).as("outcomes sent").isNotEmpty();
        Reply reply = (Reply) replies.get(replies.size() - 1);
        return new AvroDeserializer<>(registry, Outcome.class).deserialize(topics.results(), reply.value());
    }

    private KeyValueStore<String, VersionedValue> kv() {
        return context.getStateStore(StoreNames.KV);
    }

    private KeyValueStore<String, Lock> locks() {
        return context.getStateStore(StoreNames.LOCKS);
    }

    private KeyValueStore<String, TransactionState> txns() {
        return context.getStateStore(StoreNames.TXNS);
    }
}
