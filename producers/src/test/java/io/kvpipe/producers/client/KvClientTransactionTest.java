package io.kvpipe.producers.client;

import static io.kvpipe.producers.client.MockPipeline.committed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvpipe.avro.KeyVersion;
import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.OutcomeStatus;
import io.kvpipe.avro.Request;
import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import io.kvpipe.schemas.Limits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KvClientTransactionTest {

    private static final Duration LONG = Duration.ofSeconds(30);
    private MockPipeline pipeline;

    @AfterEach
    void closeClient() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void aTransactionGoesToItsFirstKeysPartitionAndAsACopyToEachOtherPartitionOfItsKeys() {
        pipeline = MockPipeline.started(LONG);
        int partitions = MockPipeline.REQUEST_PARTITIONS;
        List<String> keys = List.of("from", "to", "limit");
        pipeline.client.transaction(Op.add("from", -50, 0), Op.add("to", 50), Op.check("limit", 3));

        Set<Integer> involved = new TreeSet<>();
        keys.forEach(k -> involved.add(ConsistentHashPartitioner.partitionFor(k, partitions)));
        assertThat(involved).as("the keys must span partitions for this test").hasSizeGreaterThan(1);
        List<ProducerRecord<String, byte[]>> records = pipeline.sentRecords();
        assertThat(records).extracting(ProducerRecord::partition).containsExactlyInAnyOrderElementsOf(involved);
        for (ProducerRecord<String, byte[]> record : records) {
            assertThat(ConsistentHashPartitioner.partitionFor(record.key(), partitions))
                    .as("keyed by a key of its partition").isEqualTo(record.partition());
            assertThat(keys).contains(record.key());
            Request request = pipeline.decode(record).get(0);
            assertThat(request.getOps()).extracting(o -> o.getKey()).containsExactlyElementsOf(keys);
            assertThat(request.getSentToParticipants()).isTrue();
            assertThat(request.getTimeoutMs()).isNull();
            assertThat(request.getReplyTo().getPartition()).isEqualTo(pipeline.client.replyPartition());
        }
        assertThat(records).filteredOn(r -> r.key().equals("from")).singleElement()
                .satisfies(r -> assertThat(r.partition()).isEqualTo(ConsistentHashPartitioner.partitionFor("from",
                        partitions)));
    }

    @Test
    void aFailedCopyLeavesTheTransactionToItsCoordinatorButAFailedHomeRecordFailsIt() throws Exception {
        pipeline = new MockPipeline(false);
        pipeline.start(b -> b.requestTimeout(LONG));
        int partitions = MockPipeline.REQUEST_PARTITIONS;
        String low = keyOn(0, partitions);
        String high = keyOn(partitions - 1, partitions);

        // Home record (partition of "low") first, then the copy: the copy fails.
        CompletableFuture<WriteResult> copyFails = pipeline.client.transaction(Op.put(low, "1"), Op.put(high, "2"));
        assertThat(pipeline.sentRecords()).extracting(ProducerRecord::key).containsExactly(low, high);
        pipeline.producer.completeNext();
        pipeline.producer.errorNext(new org.apache.kafka.common.errors.NetworkException("broker gone"));
        assertThat(copyFails).as("its coordinator will answer (an abort at the deadline)").isNotDone();
        assertThat(pipeline.client.pendingRequests()).isEqualTo(1);

        // The copy (partition of "low") first, then the home record of "high": the home record fails.
        CompletableFuture<WriteResult> homeFails = pipeline.client.transaction(Op.put(high, "3"), Op.put(low, "4"));
        assertThat(pipeline.sentRecords()).hasSize(4);
        assertThat(pipeline.sentRecords().subList(2, 4)).extracting(ProducerRecord::key).containsExactly(low, high);
        pipeline.producer.completeNext();
        pipeline.producer.errorNext(new org.apache.kafka.common.errors.NetworkException("broker gone"));
        assertThatThrownBy(() -> homeFails.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(RequestSendException.class);
    }

    private static String keyOn(int partition, int partitions) {
        return java.util.stream.IntStream.range(0, 10_000).mapToObj(i -> "k" + i)
                .filter(k -> ConsistentHashPartitioner.partitionFor(k, partitions) == partition)
                .findFirst().orElseThrow();
    }

    @Test
    void aSingleKeyWriteOrATransactionWithinOnePartitionIsOneRecordWithNoCopies() {
        pipeline = MockPipeline.started(LONG);
        int partitions = MockPipeline.REQUEST_PARTITIONS;
        String first = "k0";
        String samePartition = java.util.stream.IntStream.range(1, 1000).mapToObj(i -> "k" + i)
                .filter(k -> ConsistentHashPartitioner.partitionFor(k, partitions)
                        == ConsistentHashPartitioner.partitionFor(first, partitions))
                .findFirst().orElseThrow();
        pipeline.client.transaction(Op.put(first, "1"), Op.put(samePartition, "2"));
        pipeline.client.put("single", "v");

        List<ProducerRecord<String, byte[]>> records = pipeline.sentRecords();
        assertThat(records).extracting(ProducerRecord::key).containsExactlyInAnyOrder(first, "single");
        assertThat(pipeline.sent()).filteredOn(r -> r.getOps().size() == 1).singleElement()
                .satisfies(r -> assertThat(r.getSentToParticipants()).isFalse());
    }

    @Test
    void aTimeoutTravelsAsTimeoutMs() {
        pipeline = MockPipeline.started(LONG);
        pipeline.client.transaction(List.of(Op.put("a", "1"), Op.put("b", "2")), Duration.ofMillis(1500));
        pipeline.client.transaction(List.of(Op.put("c", "1")), Duration.ofMillis(1));
        pipeline.client.transaction(List.of(Op.put("d", "1")), KvClient.MAX_TRANSACTION_TIMEOUT);

        // One request per key's partition: the records may leave in any order.
        assertThat(pipeline.sent()).extracting(r -> r.getOps().get(0).getKey() + "=" + r.getTimeoutMs())
                .containsExactlyInAnyOrder("a=1500", "c=1", "d=60000");
    }

    @Test
    void aTimeoutOutsideOneMillisecondToTheMaximumIsRefusedBeforeSending() {
        pipeline = MockPipeline.started(LONG);
        List<Op> ops = List.of(Op.put("a", "1"), Op.put("b", "2"));
        for (Duration bad : List.of(Duration.ZERO, Duration.ofMillis(-5), Duration.ofNanos(999_999),
                KvClient.MAX_TRANSACTION_TIMEOUT.plusMillis(1))) {
            assertThatThrownBy(() -> pipeline.client.transaction(ops, bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("1 ms to 60000 ms");
        }
        assertThat(pipeline.sentRecords()).isEmpty();
        assertThat(pipeline.client.pendingRequests()).isZero();
    }

    @Test
    void invalidOpsAreRefusedBeforeSending() {
        pipeline = MockPipeline.started(LONG);
        KvClient client = pipeline.client;
        assertThatThrownBy(() -> client.transaction()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one operation");
        assertThatThrownBy(() -> client.transaction((Op[]) null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.transaction(Op.put("a", "1"), null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("op 1");
        assertThatThrownBy(() -> client.transaction(Op.put("a", "1"), Op.put("b", "2"), Op.delete("a")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("op 2 names 'a' again");
        List<Op> tooMany = new ArrayList<>();
        for (int i = 0; i <= Limits.MAX_OPS; i++) {
            tooMany.add(Op.add("k" + i, 1));
        }
        assertThatThrownBy(() -> client.transaction(tooMany)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 64");
        assertThatThrownBy(() -> client.transaction(" ", List.of(Op.put("a", "1")), null))
                .isInstanceOf(IllegalArgumentException.class);
        // submit checks the same: the pipeline would dead-letter a key named twice.
        assertThatThrownBy(() -> client.submit(List.of(Op.put("a", "1"), Op.check("a", 1))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(pipeline.sentRecords()).isEmpty();
        assertThat(client.pendingRequests()).isZero();
    }

    @Test
    void aCommittedTransactionGivesEachKeysNewVersionAndItsTransactionId() throws Exception {
        pipeline = MockPipeline.started(LONG);
        CompletableFuture<WriteResult> future = pipeline.client.transaction(
                Op.put("a", "1"), Op.add("b", 5), Op.check("c", 2));
        String id = pipeline.lastSent().getRequestId();

        pipeline.reply(Outcome.newBuilder().setRequestId(id).setStatus(OutcomeStatus.COMMITTED).setTransactionId(id)
                .setVersions(List.of(version("a", 4, 1, 10), version("b", 9, 3, -1))).setTimestampMs(1).build());

        WriteResult result = future.get(10, TimeUnit.SECONDS);
        assertThat(result.isCommitted()).isTrue();
        assertThat(result.transactionId()).contains(id);
        assertThat(result.version("a")).hasValue(4);
        assertThat(result.version("b")).hasValue(9);
        assertThat(result.version("c")).isEmpty(); // not in this outcome
        assertThat(result.toString()).isEqualTo("committed " + id + " a version=4 position=1:10 b version=9 position=3:v9");
    }

    @Test
    void anAbortedTransactionSaysWhyAndWhichOp() throws Exception {
        pipeline = MockPipeline.started(LONG);
        CompletableFuture<WriteResult> future = pipeline.client.transaction(Op.put("a", "1"), Op.put("b", "2"));
        String id = pipeline.lastSent().getRequestId();

        pipeline.reply(Outcome.newBuilder().setRequestId(id).setStatus(OutcomeStatus.ABORTED).setTransactionId(id)
                .setReason(io.kvpipe.avro.RejectReason.LOCK_CONFLICT).setFailedOp(1)
                .setDetail("b is locked by another transaction").setTimestampMs(1).build());

        WriteResult result = future.get(10, TimeUnit.SECONDS);
        assertThat(result.status()).isEqualTo(WriteResult.Status.ABORTED);
        assertThat(result.isAborted()).isTrue();
        assertThat(result.reason()).contains(RejectReason.LOCK_CONFLICT);
        assertThat(result.failedOp()).hasValue(1);
        assertThat(result.detail()).contains("b is locked by another transaction");
        assertThat(result.writes()).isEmpty();
    }

    @Test
    void aRetryUnderTheSameIdSendsTheSameRequestAndSharesTheFuture() throws Exception {
        pipeline = MockPipeline.started(LONG);
        String id = pipeline.client.newRequestId();
        List<Op> ops = List.of(Op.put("a", "1"), Op.put("b", "2"));
        CompletableFuture<WriteResult> first = pipeline.client.transaction(id, ops, Duration.ofSeconds(2));
        CompletableFuture<WriteResult> retry = pipeline.client.transaction(id, ops, Duration.ofSeconds(2));

        assertThat(retry).isSameAs(first);
        List<Request> sent = pipeline.sent();
        assertThat(sent).hasSize(2);
        assertThat(sent.get(1)).usingRecursiveComparison().ignoringFields("timestampMs").isEqualTo(sent.get(0));
        pipeline.reply(committed(id, "a", 1, 0, 0));
        assertThat(first.get(10, TimeUnit.SECONDS).isCommitted()).isTrue();
    }

    @Test
    void theClientWaitsForATransactionUntilThePipelineMustHaveDecidedIt() throws Exception {
        // The request timeout is shorter than the transaction's timeout plus the abort margin: a
        // put times out, the transaction still waits for its outcome.
        pipeline = MockPipeline.started(Duration.ofMillis(200));
        CompletableFuture<WriteResult> txn = pipeline.client.transaction(List.of(Op.put("a", "1"), Op.put("b", "2")),
                Duration.ofMillis(100));
        String txnId = pipeline.lastSent().getRequestId();
        CompletableFuture<WriteResult> put = pipeline.client.put("c", "3");

        assertThatThrownBy(() -> put.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(RequestTimeoutException.class);
        assertThat(txn).isNotDone();

        pipeline.reply(Outcome.newBuilder().setRequestId(txnId).setStatus(OutcomeStatus.ABORTED)
                .setReason(io.kvpipe.avro.RejectReason.TIMEOUT).setTimestampMs(1).build());
        assertThat(txn.get(10, TimeUnit.SECONDS).reason()).contains(RejectReason.TIMEOUT);
    }

    @Test
    void theClientTellsHowManyPartitionsKeysAreSpreadOver() {
        pipeline = MockPipeline.started(LONG);
        assertThat(pipeline.client.requestPartitions()).isEqualTo(MockPipeline.REQUEST_PARTITIONS);
    }

    private static KeyVersion version(String key, long version, int partition, long offset) {
        return KeyVersion.newBuilder().setKey(key).setVersion(version).setPartition(partition).setOffset(offset)
                .build();
    }
}
