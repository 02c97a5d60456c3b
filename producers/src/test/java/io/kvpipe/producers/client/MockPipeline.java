package io.kvpipe.producers.client;

import static org.awaitility.Awaitility.await;

import io.kvpipe.schemas.testing.InMemorySchemaRegistry;
import io.kvpipe.avro.KeyVersion;
import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.OutcomeStatus;
import io.kvpipe.avro.Request;
import io.kvpipe.avro.RequestBatch;
import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import io.kvpipe.schemas.RequestsValue;
import io.kvpipe.schemas.Topics;
import io.kvpipe.schemas.serde.AvroDeserializer;
import io.kvpipe.schemas.serde.AvroSerializer;
import io.kvpipe.schemas.serde.BatchValueWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.stream.Stream;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A KvClient over Kafka's MockProducer and MockConsumer: the test plays the pipeline by reading
 * {@link #sent()} and appending outcomes to the results topic with {@link #reply}.
 */
final class MockPipeline implements AutoCloseable {

    static final int REQUEST_PARTITIONS = 4;
    static final int RESULT_PARTITIONS = 4;
    static final Topics TOPICS = Topics.defaults();
    private static final Node BROKER = new Node(0, "localhost", 9092);

    final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    final GatedMockProducer producer;
    final QuietMockConsumer consumer = new QuietMockConsumer();
    private final AvroSerializer<Outcome> outcomeSerializer = new AvroSerializer<>(registry, false);
    private final AvroDeserializer<Object> requestsReader = new AvroDeserializer<>(registry, RequestsValue.SCHEMA);
    private final Map<Integer, Long> nextOffset = new HashMap<>();
    KvClient client;

    MockPipeline(boolean autoComplete) {
        List<PartitionInfo> partitions = new ArrayList<>();
        for (int p = 0; p < REQUEST_PARTITIONS; p++) {
            partitions.add(new PartitionInfo(TOPICS.requests(), p, BROKER, new Node[] {BROKER}, new Node[] {BROKER}));
        }
        Cluster cluster = new Cluster("mock", List.of(BROKER), partitions, Set.of(), Set.of());
        producer = new GatedMockProducer(cluster, autoComplete);
        consumer.updatePartitions(TOPICS.results(), partitionInfos(TOPICS.results(), RESULT_PARTITIONS));
        consumer.updatePartitions(TOPICS.requests(), partitionInfos(TOPICS.requests(), REQUEST_PARTITIONS));
        Map<TopicPartition, Long> ends = new HashMap<>();
        for (int p = 0; p < RESULT_PARTITIONS; p++) {
            ends.put(new TopicPartition(TOPICS.results(), p), 0L);
        }
        consumer.updateEndOffsets(ends);
    }

    /** The pipeline with a client whose request timeout is {@code timeout}. */
    static MockPipeline started(Duration timeout) {
        return started(b -> b.requestTimeout(timeout));
    }

    static MockPipeline started(UnaryOperator<KvClientConfig.Builder> settings) {
        MockPipeline pipeline = new MockPipeline(true);
        pipeline.start(settings);
        return pipeline;
    }

    KvClient start(UnaryOperator<KvClientConfig.Builder> settings) {
        KvClientConfig config = settings.apply(KvClientConfig.builder().closeTimeout(Duration.ofSeconds(1))).build();
        client = KvClient.create(config, producer, consumer, registry, null);
        return client;
    }

    /** The results topic already holds {@code records} records in every partition at start. */
    void resultsEndAt(long records) {
        Map<TopicPartition, Long> ends = new HashMap<>();
        for (int p = 0; p < RESULT_PARTITIONS; p++) {
            ends.put(new TopicPartition(TOPICS.results(), p), records);
            nextOffset.put(p, records);
        }
        consumer.updateEndOffsets(ends);
    }

    /**
     * The records handed to the producer so far, once the client's sender has handed over every
     * request submitted before (it writes them on its own thread).
     */
    List<ProducerRecord<String, byte[]>> sentRecords() {
        if (client != null) {
            await().atMost(Duration.ofSeconds(10)).until(() -> client.unsentRequests() == 0);
        }
        return producer.history();
    }

    /** The requests sent so far, in order, batches flattened. */
    List<Request> sent() {
        List<Request> requests = new ArrayList<>();
        for (ProducerRecord<String, byte[]> record : sentRecords()) {
            requests.addAll(decode(record));
        }
        return requests;
    }

    /** The requests in one record: one plain {@code Request}, or a batch's. */
    List<Request> decode(ProducerRecord<String, byte[]> record) {
        return RequestsValue.requests(requestsReader.deserialize(TOPICS.requests(), record.value()));
    }

    /** Whether the record is a {@code RequestBatch} (rather than a plain {@code Request}). */
    boolean isBatch(ProducerRecord<String, byte[]> record) {
        return requestsReader.deserialize(TOPICS.requests(), record.value()) instanceof RequestBatch;
    }

    Request lastSent() {
        List<Request> sent = sent();
        return sent.get(sent.size() - 1);
    }

    /** Appends {@code outcome} to the client's reply partition, keyed by its request id. */
    void reply(Outcome outcome) {
        reply(client.replyPartition(), outcome.getRequestId(), outcome);
    }

    /** Appends {@code outcome} (encoded) under {@code key} to a partition of the results topic. */
    void reply(int partition, String key, Outcome outcome) {
        replyBytes(partition, key, outcomeSerializer.serialize(TOPICS.results(), outcome));
    }

    void replyBytes(int partition, String key, byte[] value) {
        long offset = nextOffset.merge(partition, 1L, Long::sum) - 1;
        consumer.addRecord(new ConsumerRecord<>(TOPICS.results(), partition, offset,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), value));
    }

    /** Appends {@code outcomes} as one {@code OutcomeBatch} under {@code key} to the client's reply partition. */
    void replyBatch(String key, Outcome... outcomes) {
        BatchValueWriter<Outcome> writer = BatchValueWriter.forOutcomes(registry, TOPICS.results(), true);
        replyBytes(client.replyPartition(), key, writer.batch(Stream.of(outcomes).map(writer::encode).toList()));
    }

    /** Appends at an explicit offset (to test where the client starts reading). */
    void replyAt(long offset, Outcome outcome) {
        consumer.addRecord(new ConsumerRecord<>(TOPICS.results(), client.replyPartition(), offset,
                outcome.getRequestId().getBytes(StandardCharsets.UTF_8),
                outcomeSerializer.serialize(TOPICS.results(), outcome)));
    }

    static Outcome committed(String requestId, String key, long version, int partition, long offset) {
        return Outcome.newBuilder()
                .setRequestId(requestId)
                .setStatus(OutcomeStatus.COMMITTED)
                .setVersions(List.of(KeyVersion.newBuilder().setKey(key).setVersion(version)
                        .setPartition(partition).setOffset(offset).build()))
                .setTimestampMs(1)
                .build();
    }

    static Outcome rejected(String requestId, io.kvpipe.avro.RejectReason reason, String detail) {
        return Outcome.newBuilder()
                .setRequestId(requestId)
                .setStatus(OutcomeStatus.REJECTED)
                .setReason(reason)
                .setFailedOp(0)
                .setDetail(detail)
                .setTimestampMs(1)
                .build();
    }

    private static List<PartitionInfo> partitionInfos(String topic, int count) {
        List<PartitionInfo> infos = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            infos.add(new PartitionInfo(topic, p, BROKER, new Node[] {BROKER}, new Node[] {BROKER}));
        }
        return infos;
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
    }

    /**
     * A MockProducer whose {@code send} can be held shut ({@link #hold()} / {@link #release()}), so a
     * test can keep the client's sender busy while requests queue behind it.
     */
    static final class GatedMockProducer extends MockProducer<String, byte[]> {
        private volatile CountDownLatch gate;
        private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();

        GatedMockProducer(Cluster cluster, boolean autoComplete) {
            super(cluster, autoComplete, new ConsistentHashPartitioner(), new StringSerializer(), new ByteArraySerializer());
        }

        /** The next sends wait until {@link #release()}. */
        void hold() {
            gate = new CountDownLatch(1);
        }

        /** Waits until a send is held at the gate. */
        void awaitHeld() {
            await().atMost(Duration.ofSeconds(10)).until(() -> waiting.get() > 0);
        }

        void release() {
            CountDownLatch held = gate;
            gate = null;
            if (held != null) {
                held.countDown();
            }
        }

        @Override
        public java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> send(
                ProducerRecord<String, byte[]> record, org.apache.kafka.clients.producer.Callback callback) {
            CountDownLatch held = gate;
            if (held != null) {
                waiting.incrementAndGet();
                try {
                    held.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    waiting.decrementAndGet();
                }
            }
            return super.send(record, callback);
        }
    }

    /** MockConsumer returns at once from an empty poll; pause a little so the test does not spin. */
    static final class QuietMockConsumer extends MockConsumer<byte[], byte[]> {
        QuietMockConsumer() {
            super("latest");
        }

        @Override
        public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
            ConsumerRecords<byte[], byte[]> records = super.poll(timeout);
            if (records.isEmpty()) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return records;
        }
    }
}
