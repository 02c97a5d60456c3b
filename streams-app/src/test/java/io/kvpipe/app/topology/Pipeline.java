package io.kvpipe.app.topology;

import io.kvpipe.schemas.testing.InMemorySchemaRegistry;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.app.heartbeat.ProcessingLiveness;
import io.kvpipe.avro.ChangeEvent;
import io.kvpipe.avro.DeadLetter;
import io.kvpipe.avro.Lock;
import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.ProtocolBatch;
import io.kvpipe.avro.ProtocolMessage;
import io.kvpipe.avro.Request;
import io.kvpipe.avro.TransactionState;
import io.kvpipe.avro.VersionedValue;
import io.kvpipe.schemas.ProtocolValue;
import io.kvpipe.schemas.ResultsValue;
import io.kvpipe.schemas.Topics;
import io.kvpipe.schemas.serde.AvroDeserializer;
import io.kvpipe.schemas.serde.AvroSerializer;
import io.kvpipe.schemas.serde.BatchValueWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The topology in a {@link TopologyTestDriver}, fed raw bytes the way a client's Avro serializer
 * writes them, with its outputs read back through Avro deserializers on the same registry.
 *
 * <p>The driver gives every topic one partition, so every request arrives on partition 0 and every
 * sink partitioner is asked for a one-partition topic. To see where records would go on real
 * topics, each sink's partitioner is also asked, with the same key and value, for a topic of
 * {@link #PROBED_PARTITIONS} partitions ({@link #replies()}, {@link #decisions(String)}). That shows
 * what the partitioner attached to each sink chooses for the exact records the processor forwards;
 * that Kafka Streams then sends to the chosen partition is Kafka's part, not tested here.
 */
final class Pipeline implements AutoCloseable {

    static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    static final int PROBED_PARTITIONS = 16;
    static final String INSTANCE = "instance-7";

    final Topics topics = Topics.defaults();
    final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    final AtomicLong livenessClock = new AtomicLong();
    final ProcessingLiveness liveness = new ProcessingLiveness(livenessClock::get);
    final TopologyTestDriver driver;
    final TestInputTopic<byte[], byte[]> requests;
    final TestOutputTopic<String, ChangeEvent> changes;
    final TestOutputTopic<String, Outcome> results;
    final TestOutputTopic<String, DeadLetter> deadLetters;
    /** Protocol messages as another partition's task would write them to this partition. */
    final TestInputTopic<String, Object> protocolIn;
    /**
     * Protocol messages this task sends. The driver feeds each back into this task too (the topic is
     * also a source), where those addressed to other partitions are dead-lettered as misaddressed:
     * see {@link #misaddressed()}.
     */
    final TestOutputTopic<String, Object> protocolOut;
    private final AvroSerializer<Request> clientSerializer = new AvroSerializer<>(registry, false);
    private final BatchValueWriter<Request> batchWriter = BatchValueWriter.forRequests(registry, topics.requests(), true);
    private final AvroDeserializer<Outcome> outcomeReader = new AvroDeserializer<>(registry, Outcome.class);
    private final List<Integer> replyDecisions = new ArrayList<>();
    private final Map<String, List<Integer>> sinkDecisions = new HashMap<>();
    private final Duration dedupRetention;
    private Instant wallClock = START;
    private long nextOffset;

    Pipeline(Path stateDir) {
        this(stateDir, TopologySettings.DEFAULT_DEDUP_RETENTION);
    }

    Pipeline(Path stateDir, Duration dedupRetention) {
        this(stateDir, dedupRetention, TopologySettings.DEFAULT_TRANSACTION_TIMEOUT, true);
    }

    /** The transactions the coordinator holds in memory only. */
    final HeldTransactions held = new HeldTransactions();

    private Pipeline(Path stateDir, Duration dedupRetention, Duration transactionTimeout, boolean unused) {
        this.dedupRetention = dedupRetention;
        TopologySettings settings = TopologySettings.builder()
                .topics(topics)
                .requestPartitions(Keys.PARTITIONS)
                .registry(registry)
                .liveness(liveness)
                .instanceId(INSTANCE)
                .dedupRetention(dedupRetention)
                .transactionTimeout(transactionTimeout)
                .heldTransactions(held)
                .build();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "kvpipe-topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(RequestTopology.build(settings, new ProbePartitioners()), props, START);
        requests = driver.createInputTopic(topics.requests(), new ByteArraySerializer(), new ByteArraySerializer(),
                START, Duration.ZERO);
        changes = driver.createOutputTopic(topics.changes(), new StringDeserializer(),
                new AvroDeserializer<>(registry, ChangeEvent.class));
        results = driver.createOutputTopic(topics.results(), new StringDeserializer(),
                new AvroDeserializer<>(registry, Outcome.class));
        deadLetters = driver.createOutputTopic(topics.deadLetters(), new StringDeserializer(),
                new AvroDeserializer<>(registry, DeadLetter.class));
        protocolIn = driver.createInputTopic(topics.txnProtocol(), new StringSerializer(),
                new AvroSerializer<Object>(registry, false, ProtocolValue.SCHEMA), START, Duration.ZERO);
        protocolOut = driver.createOutputTopic(topics.txnProtocol(), new StringDeserializer(),
                new AvroDeserializer<>(registry, ProtocolValue.SCHEMA));
    }

    Pipeline(Path stateDir, Duration dedupRetention, Duration transactionTimeout) {
        this(stateDir, dedupRetention, transactionTimeout, true);
    }

    /** Sends {@code request} keyed by its first op's key, as the client API does; returns its offset. */
    long send(Request request) {
        return send(request.getOps().isEmpty() ? "routing" : request.getOps().get(0).getKey(), request);
    }

    long send(String routingKey, Request request) {
        return sendRaw(routingKey == null ? null : routingKey.getBytes(StandardCharsets.UTF_8), encode(request));
    }

    /** Sends raw bytes; returns the offset the record gets. */
    long sendRaw(byte[] key, byte[] value) {
        requests.pipeInput(key, value);
        return nextOffset++;
    }

    byte[] encode(Request request) {
        return clientSerializer.serialize(topics.requests(), request);
    }

    /** Sends {@code requests} as one {@code RequestBatch} record keyed by the first op's key; returns its offset. */
    long sendBatch(Request... requests) {
        return sendRaw(requests[0].getOps().get(0).getKey().getBytes(StandardCharsets.UTF_8),
                encodeBatch(List.of(requests)));
    }

    /** A {@code RequestBatch} value as the client writes it. */
    byte[] encodeBatch(List<Request> requests) {
        return batchWriter.batch(requests.stream().map(batchWriter::encode).toList());
    }

    /** The one outcome the last request produced. */
    Outcome outcome() {
        assertThat(results.getQueueSize()).as("outcomes on the results topic").isEqualTo(1);
        return results.readValue();
    }

    /**
     * Reads every results record as a client of batched outcomes does (an {@code Outcome} or an
     * {@code OutcomeBatch}, see {@code ResultsValue}), with the partition it would get on a results
     * topic of {@link #PROBED_PARTITIONS}.
     */
    List<RoutedValue> resultRecords() {
        List<TestRecord<String, Object>> records = driver.createOutputTopic(topics.results(), new StringDeserializer(),
                new AvroDeserializer<>(registry, ResultsValue.SCHEMA)).readRecordsToList();
        assertThat(replyDecisions).hasSize(records.size());
        List<RoutedValue> routed = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            routed.add(new RoutedValue(records.get(i).key(), records.get(i).value(), replyDecisions.get(i)));
        }
        replyDecisions.clear();
        return routed;
    }

    /** Reads every reply with the partition it would get on a results topic of {@link #PROBED_PARTITIONS}. */
    List<RoutedReply> replies() {
        List<TestRecord<String, Outcome>> records = results.readRecordsToList();
        assertThat(replyDecisions).hasSize(records.size());
        List<RoutedReply> routed = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            routed.add(new RoutedReply(records.get(i).key(), records.get(i).value(), replyDecisions.get(i)));
        }
        replyDecisions.clear();
        return routed;
    }

    /** The partitions replies would have gone to so far (and forgets them). */
    List<Integer> replyPartitions() {
        List<Integer> decided = List.copyOf(replyDecisions);
        replyDecisions.clear();
        return decided;
    }

    List<ChangeEvent> changeEvents() {
        return changes.readValuesToList();
    }

    KeyValueStore<String, VersionedValue> kv() {
        return driver.getKeyValueStore(StoreNames.KV);
    }

    KeyValueStore<String, Lock> locks() {
        return driver.getKeyValueStore(StoreNames.LOCKS);
    }

    KeyValueStore<String, TransactionState> txns() {
        return driver.getKeyValueStore(StoreNames.TXNS);
    }

    /** The records written to the txns store's changelog since the last call (keys; a tombstone's value is null). */
    List<org.apache.kafka.streams.test.TestRecord<String, byte[]>> txnsChangelog() {
        return driver.createOutputTopic("kvpipe-topology-test-" + StoreNames.TXNS + "-changelog",
                new StringDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer())
                .readRecordsToList();
    }

    /** The keys of the records written to the kv store's changelog since the last call, in order. */
    List<String> kvChangelogKeys() {
        return driver.createOutputTopic("kvpipe-topology-test-" + StoreNames.KV + "-changelog",
                new StringDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer())
                .readRecordsToList().stream().map(org.apache.kafka.streams.test.TestRecord::key).toList();
    }

    /** The driver's wall clock now, in epoch ms (what the processors take as "now"). */
    long driverWallClock() {
        return wallClock.toEpochMilli();
    }

    /** Sends raw bytes to the protocol topic. */
    void sendRawProtocol(byte[] key, byte[] value) {
        driver.createInputTopic(topics.txnProtocol(), new ByteArraySerializer(), new ByteArraySerializer(), START,
                Duration.ZERO).pipeInput(key, value);
    }

    /** Sends a protocol message to this partition (partition 0), as another partition's task would. */
    void sendProtocol(ProtocolMessage message) {
        protocolIn.pipeInput(message.getTransactionId(), message);
    }

    /** Sends protocol messages to this partition as one {@code ProtocolBatch} record. */
    void sendProtocolBatch(ProtocolMessage... messages) {
        protocolIn.pipeInput(messages[0].getTransactionId(), new ProtocolBatch(List.of(messages)));
    }

    /**
     * The protocol messages this task sent since the last call, batches flattened, and their dead
     * letters read off.
     */
    List<ProtocolMessage> protocolSent() {
        List<ProtocolMessage> sent = protocolRecordsSent().stream().flatMap(v -> ProtocolValue.messages(v).stream())
                .toList();
        misaddressed();
        return sent;
    }

    /** The protocol records this task sent since the last call: messages and batches as written. */
    List<Object> protocolRecordsSent() {
        return protocolOut.readValuesToList();
    }

    /**
     * Reads the dead letters of this task's own protocol messages to other partitions, which the
     * driver fed back to it (see {@link #protocolOut}); fails on any other dead letter.
     */
    List<DeadLetter> misaddressed() {
        List<DeadLetter> letters = deadLetters.readValuesToList();
        assertThat(letters).allSatisfy(letter -> {
            assertThat(letter.getSourceTopic()).isEqualTo(topics.txnProtocol());
            assertThat(letter.getDetail()).contains("but arrived on partition 0");
        });
        return letters;
    }

    /** The outcomes the dedup store remembers now (by the driver's wall clock), by request id. */
    Remembered dedup() {
        WindowStore<String, byte[]> store = driver.getWindowStore(StoreNames.DEDUP);
        DedupLog log = new DedupLog(store, dedupRetention);
        return requestId -> outcomeReader.deserialize(topics.results(), log.find(requestId, wallClock.toEpochMilli()));
    }

    /** How many decisions the participants' memory holds (not counting its segment keeper). */
    long decisionsRemembered() {
        return windowKeys(StoreNames.DECISIONS).stream().filter(k -> !k.equals(DedupLog.SEGMENT_KEEPER)).count();
    }

    /** The key of every entry of window store {@code name}, oldest window first. */
    List<String> windowKeys(String name) {
        WindowStore<String, byte[]> store = driver.getWindowStore(name);
        List<String> keys = new java.util.ArrayList<>();
        try (var all = store.all()) {
            while (all.hasNext()) {
                keys.add(all.next().key.key());
            }
        }
        return keys;
    }

    /** What the dedup store remembers. */
    interface Remembered {
        Outcome get(String requestId);
    }

    /** The wall clock of the next step. */
    Instant now() {
        return wallClock;
    }

    void advance(Duration by) {
        driver.advanceWallClockTime(by);
        wallClock = wallClock.plus(by);
    }

    @Override
    public void close() {
        driver.close();
    }

    record RoutedReply(String key, Outcome outcome, int partition) {}

    record RoutedValue(String key, Object value, int partition) {}

    /**
     * What each sink's partitioner chose so far for a topic of {@link #PROBED_PARTITIONS}
     * partitions, in output order (and forgets it).
     */
    List<Integer> decisions(String sinkName) {
        List<Integer> decided = sinkDecisions.getOrDefault(sinkName, List.of());
        sinkDecisions.remove(sinkName);
        if (sinkName.equals(RequestTopology.RESULTS_SINK)) {
            replyDecisions.clear();
        }
        return decided;
    }

    /** Records what each sink's partitioner would choose for a real-sized topic. */
    private final class ProbePartitioners implements SinkPartitioners {
        @Override
        public <K, V> StreamPartitioner<K, V> wrap(String sinkName, StreamPartitioner<K, V> partitioner) {
            return (topic, key, value, numPartitions) -> {
                Optional<Set<Integer>> realSized = partitioner.partitions(topic, key, value, PROBED_PARTITIONS);
                assertThat(realSized).as("a record goes to exactly one partition").hasValueSatisfying(
                        partitions -> assertThat(partitions).hasSize(1));
                int partition = realSized.get().iterator().next();
                sinkDecisions.computeIfAbsent(sinkName, s -> new ArrayList<>()).add(partition);
                if (sinkName.equals(RequestTopology.RESULTS_SINK)) {
                    replyDecisions.add(partition);
                }
                // The driver's one-partition topics: everything goes to partition 0 (protocol
                // messages to other partitions too, which then come back to this task).
                return numPartitions == 1 ? Optional.of(Set.of(0)) : partitioner.partitions(topic, key, value, numPartitions);
            };
        }
    }
}
