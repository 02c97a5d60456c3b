package io.kvpipe.app.topology;

import static io.kvpipe.app.topology.Requests.put;
import static io.kvpipe.app.topology.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.avro.ChangeEvent;
import io.kvpipe.avro.DeadLetter;
import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.OutcomeStatus;
import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import io.kvpipe.schemas.ResultsValue;
import io.kvpipe.schemas.serde.AvroDeserializer;
import io.kvpipe.schemas.serde.SubjectNames;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * Where outputs go and what their bytes are.
 *
 * <p>The test driver gives every topic one partition, so it cannot show a reply landing on
 * partition 5. What these tests prove instead: the partitioner attached to each sink, asked about
 * the exact key and value the processor forwarded, chooses the reply partition (results) or the
 * key's consistent-hash partition (changes, dead letters) for a 16-partition topic; and the
 * partitioner itself is unit-tested. That Kafka Streams sends a record to the partition its
 * partitioner chose is Kafka's code and not tested here.
 */
class ReplyRoutingTest extends PipelineTest {

    @Test
    void theRouterSendsAReplyToItsPartitionWhenTheTopicHasIt() {
        Reply.Router router = new Reply.Router();
        byte[] outcome = {0};

        assertThat(router.partitions("results", "req-1", new Reply(outcome, 0), 16)).contains(Set.of(0));
        assertThat(router.partitions("results", "req-1", new Reply(outcome, 5), 16)).contains(Set.of(5));
        assertThat(router.partitions("results", "req-1", new Reply(outcome, 15), 16)).contains(Set.of(15));
    }

    @Test
    void theRouterFallsBackToTheRequestIdsHashWithoutAUsableReplyPartition() {
        Reply.Router router = new Reply.Router();
        byte[] outcome = {0};
        Optional<Set<Integer>> byRequestId = Optional.of(Set.of(ConsistentHashPartitioner.partitionFor("req-1", 16)));

        assertThat(router.partitions("results", "req-1", new Reply(outcome, Reply.NO_REPLY_PARTITION), 16))
                .isEqualTo(byRequestId);
        assertThat(router.partitions("results", "req-1", new Reply(outcome, 16), 16)).isEqualTo(byRequestId);
        assertThat(router.partitions("results", "req-1", new Reply(outcome, 1000), 16)).isEqualTo(byRequestId);
        assertThat(router.partitions("results", "req-1", new Reply(outcome, -7), 16)).isEqualTo(byRequestId);
    }

    @Test
    void eachOutcomeIsRoutedToTheReplyPartitionItsRequestNamed() {
        String key = Keys.here("k:");
        pipeline.send(request("to-0", 0, put(key, "a")));
        pipeline.send(request("to-7", 7, put(key, "b")));
        pipeline.send(request("to-15", 15, put(key, "c")));
        pipeline.send(request("to-16", 16, put(key, "d")));
        pipeline.send(Requests.fireAndForget("to-none", put(key, "e")));

        assertThat(pipeline.replies()).extracting(Pipeline.RoutedReply::key, Pipeline.RoutedReply::partition)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("to-0", 0),
                        org.assertj.core.groups.Tuple.tuple("to-7", 7),
                        org.assertj.core.groups.Tuple.tuple("to-15", 15),
                        org.assertj.core.groups.Tuple.tuple("to-16", ConsistentHashPartitioner.partitionFor("to-16", 16)),
                        org.assertj.core.groups.Tuple.tuple("to-none", ConsistentHashPartitioner.partitionFor("to-none", 16)));
        assertThat(pipeline.deadLetters.isEmpty()).isTrue();
    }

    @Test
    void changeEventsAndDeadLettersArePartitionedByTheirKeysConsistentHash() {
        List<String> keys = Keys.on(Keys.HERE, "k:", 2);
        pipeline.send(request("tx", put(keys.get(0), "a"), put(keys.get(1), "b")));
        pipeline.sendRaw("dead:1".getBytes(StandardCharsets.UTF_8), new byte[] {7});

        assertThat(pipeline.decisions(RequestTopology.CHANGES_SINK)).containsExactly(
                ConsistentHashPartitioner.partitionFor(keys.get(0), 16),
                ConsistentHashPartitioner.partitionFor(keys.get(1), 16));
        assertThat(pipeline.decisions(RequestTopology.DEAD_LETTERS_SINK)).containsExactly(
                ConsistentHashPartitioner.partitionFor("dead:1", 16));
    }

    @Test
    void everyOutputIsItsAvroRecordInTheConfluentWireFormatUnderTheTopicsValueSubject() {
        String key = Keys.here("k:");
        pipeline.send(request("wire", put(key, "v")));
        pipeline.sendRaw("bad".getBytes(StandardCharsets.UTF_8), new byte[] {7});

        Outcome outcome = readFramed(pipeline.topics.results(), ResultsValue.SCHEMA, Outcome.class).value();
        assertThat(outcome.getRequestId()).isEqualTo("wire");
        assertThat(outcome.getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
        TestRecord<byte[], byte[]> change = pipeline.driver.createOutputTopic(pipeline.topics.changes(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer()).readRecord();
        assertThat(new String(change.key(), StandardCharsets.UTF_8)).isEqualTo(key);
        assertFramed(pipeline.topics.changes(), change.value(), ChangeEvent.getClassSchema());
        assertThat(readFramed(pipeline.topics.deadLetters(), DeadLetter.getClassSchema(), DeadLetter.class).value()
                .getSourceTopic()).isEqualTo(pipeline.topics.requests());
    }

    private <T> TestRecord<String, T> readFramed(String topic, Schema schema, Class<T> type) {
        TestOutputTopic<byte[], byte[]> raw = pipeline.driver.createOutputTopic(topic, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        TestRecord<byte[], byte[]> record = raw.readRecord();
        assertFramed(topic, record.value(), schema);
        T value = new AvroDeserializer<>(pipeline.registry, type).deserialize(topic, record.value());
        return new TestRecord<>(new String(record.key(), StandardCharsets.UTF_8), value);
    }

    private void assertFramed(String topic, byte[] bytes, Schema schema) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        assertThat(buffer.get()).as("magic byte").isZero();
        assertThat(pipeline.registry.schemaById(buffer.getInt())).isEqualTo(schema);
        assertThat(pipeline.registry.hasSubject(SubjectNames.of(topic, false))).isTrue();
    }

    private static Outcome outcome(String requestId) {
        return Outcome.newBuilder().setRequestId(requestId).setStatus(OutcomeStatus.COMMITTED).setTimestampMs(0L).build();
    }
}
