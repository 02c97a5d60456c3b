package io.kvpipe.producers.client;

import io.kvpipe.schemas.testing.InMemorySchemaRegistry;
import io.kvpipe.avro.KeyVersion;
import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.OutcomeStatus;
import io.kvpipe.avro.Request;
import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import io.kvpipe.schemas.Topics;
import io.kvpipe.schemas.serde.AvroDeserializer;
import io.kvpipe.schemas.serde.AvroSerializer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
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
    final MockProducer<String, Request> producer;
    final QuietMockConsumer consumer = new QuietMockConsumer();
    private final AvroSerializer<Outcome> outcomeSerializer = new AvroSerializer<>(registry, false);
    private final Map<Integer, Long> nextOffset = new HashMap<>();
    KvClient client;

    MockPipeline(boolean autoComplete) {
        List<PartitionInfo> partitions = new ArrayList<>();
        for (int p = 0; p < REQUEST_PARTITIONS; p++) {
            partitions.add(new PartitionInfo(TOPICS.requests(), p, BROKER, new Node[] {BROKER}, new Node[] {BROKER}));
        }
        Cluster cluster = new Cluster("mock", List.of(BROKER), partitions, Set.of(), Set.of());
        producer = new MockProducer<>(cluster, autoComplete, new ConsistentHashPartitioner(), new StringSerializer(),
                new AvroSerializer<>(registry, false));
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
        client = KvClient.create(config, producer, consumer, new AvroDeserializer<>(registry, Outcome.class), null);
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

    /** The requests sent so far. */
    List<Request> sent() {
        return producer.history().stream().map(r -> r.value()).toList();
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
