package io.kvpipe.producers.client;

import static io.kvpipe.producers.client.MockPipeline.committed;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.avro.Request;
import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import io.kvpipe.schemas.Limits;
import io.kvpipe.schemas.serde.BatchValueWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NetworkException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Requests of one partition that queue while the client's sender is busy share a record; each
 * keeps its own id, outcome and failure.
 */
class KvClientBatchingTest {

    private static final Duration LONG = Duration.ofSeconds(30);
    private MockPipeline pipeline;

    @AfterEach
    void closeClient() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    /** {@code count} keys of {@code partition} of the requests topic. */
    private static List<String> keysOf(int partition, int count) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; keys.size() < count; i++) {
            String key = "key-" + i;
            if (ConsistentHashPartitioner.partitionFor(key, MockPipeline.REQUEST_PARTITIONS) == partition) {
                keys.add(key);
            }
        }
        return keys;
    }

    /** Holds the sender in its first send, so that the following requests queue behind it. */
    private CompletableFuture<WriteResult> holdTheSender(String key) {
        pipeline.producer.hold();
        CompletableFuture<WriteResult> first = pipeline.client.put(key, "first");
        pipeline.producer.awaitHeld();
        return first;
    }

    @Test
    void requestsQueuedWhileTheSenderIsBusyShareOneRecordPerPartition() throws Exception {
        pipeline = MockPipeline.started(LONG);
        List<String> zero = keysOf(0, 4);
        List<String> two = keysOf(2, 3);
        holdTheSender(zero.get(0));
        List<CompletableFuture<WriteResult>> futures = new ArrayList<>();
        for (String key : List.of(zero.get(1), two.get(0), zero.get(2), two.get(1), zero.get(3), two.get(2))) {
            futures.add(pipeline.client.put(key, "v-" + key));
        }
        pipeline.producer.release();

        List<ProducerRecord<String, byte[]>> records = pipeline.sentRecords();
        assertThat(records).hasSize(3);
        assertThat(pipeline.isBatch(records.get(0))).isFalse();
        assertThat(records.get(1).partition()).isZero();
        assertThat(records.get(1).key()).isEqualTo(zero.get(1));
        assertThat(pipeline.decode(records.get(1))).extracting(r -> r.getOps().get(0).getKey())
                .containsExactly(zero.get(1), zero.get(2), zero.get(3));
        assertThat(records.get(2).partition()).isEqualTo(2);
        assertThat(pipeline.decode(records.get(2))).extracting(r -> r.getOps().get(0).getKey())
                .containsExactlyElementsOf(two);
        assertThat(pipeline.isBatch(records.get(1))).isTrue();
        assertThat(pipeline.client.sendStats()).isEqualTo(new KvClient.SendStats(7, 3));

        // Each request of a batch is answered on its own.
        List<Request> sent = pipeline.sent();
        for (int i = 1; i < sent.size(); i++) {
            pipeline.reply(committed(sent.get(i).getRequestId(), sent.get(i).getOps().get(0).getKey(), i, 0, 1));
        }
        for (CompletableFuture<WriteResult> future : futures) {
            assertThat(future.get(10, TimeUnit.SECONDS).isCommitted()).isTrue();
        }
    }

    @Test
    void aBatchHoldsAtMostMaxBatchRequestsAndAnyRemainderOfOneIsAPlainRequest() {
        pipeline = MockPipeline.started(b -> b.requestTimeout(LONG).maxBatchRequests(3));
        List<String> keys = keysOf(1, 8);
        holdTheSender(keys.get(0));
        for (String key : keys.subList(1, 8)) {
            pipeline.client.put(key, "v");
        }
        pipeline.producer.release();

        List<ProducerRecord<String, byte[]>> records = pipeline.sentRecords();
        assertThat(records).extracting(r -> pipeline.decode(r).size()).containsExactly(1, 3, 3, 1);
        assertThat(records).extracting(pipeline::isBatch).containsExactly(false, true, true, false);
        assertThat(pipeline.sent()).extracting(r -> r.getOps().get(0).getKey()).containsExactlyElementsOf(keys);
    }

    @Test
    void aBatchStaysWithinMaxBatchBytes() {
        pipeline = MockPipeline.started(b -> b.requestTimeout(LONG).maxBatchBytes(4096));
        List<String> keys = keysOf(3, 11);
        holdTheSender(keys.get(0));
        for (String key : keys.subList(1, 11)) {
            pipeline.client.put(key, "x".repeat(1000));
        }
        pipeline.producer.release();

        List<ProducerRecord<String, byte[]>> records = pipeline.sentRecords();
        assertThat(records).allSatisfy(r -> assertThat(r.value().length).isLessThanOrEqualTo(4096));
        assertThat(records).extracting(r -> pipeline.decode(r).size()).containsExactly(1, 3, 3, 3, 1);
        assertThat(pipeline.sent()).hasSize(11);
    }

    @Test
    void oneMaxBatchRequestWritesEveryRequestAsAPlainRequestRecord() {
        pipeline = MockPipeline.started(b -> b.requestTimeout(LONG).maxBatchRequests(1));
        List<String> keys = keysOf(0, 5);
        holdTheSender(keys.get(0));
        for (String key : keys.subList(1, 5)) {
            pipeline.client.put(key, "v");
        }
        pipeline.producer.release();

        List<ProducerRecord<String, byte[]>> records = pipeline.sentRecords();
        assertThat(records).hasSize(5).noneMatch(pipeline::isBatch);
        assertThat(records).extracting(ProducerRecord::key).containsExactlyElementsOf(keys);
    }

    @Test
    void aFailedBatchFailsEachOfItsRequestsByItsOwnId() {
        pipeline = new MockPipeline(false);
        pipeline.start(b -> b.requestTimeout(LONG));
        List<String> keys = keysOf(0, 3);
        holdTheSender(keys.get(0));
        CompletableFuture<WriteResult> second = pipeline.client.put(keys.get(1), "v");
        CompletableFuture<WriteResult> third = pipeline.client.put(keys.get(2), "v");
        pipeline.producer.release();
        List<Request> sent = pipeline.sent();
        assertThat(pipeline.sentRecords()).hasSize(2);

        pipeline.producer.completeNext(); // the first, alone
        pipeline.producer.errorNext(new NetworkException("broker gone")); // the batch of two

        for (int i = 1; i <= 2; i++) {
            CompletableFuture<WriteResult> future = i == 1 ? second : third;
            RequestSendException failure = cause(future, RequestSendException.class);
            assertThat(failure.requestId()).isEqualTo(sent.get(i).getRequestId());
            assertThat(failure).hasMessageContaining(sent.get(i).getRequestId());
        }
        assertThat(pipeline.client.pendingRequests()).isEqualTo(1);
    }

    @Test
    void requestsOfABatchAreAcknowledgedAtTheBatchPosition() {
        pipeline = MockPipeline.started(Duration.ofMillis(300));
        List<String> keys = keysOf(2, 3);
        holdTheSender(keys.get(0));
        CompletableFuture<WriteResult> second = pipeline.client.put(keys.get(1), "v");
        CompletableFuture<WriteResult> third = pipeline.client.put(keys.get(2), "v");
        pipeline.producer.release();

        RequestTimeoutException a = cause(second, RequestTimeoutException.class);
        RequestTimeoutException b = cause(third, RequestTimeoutException.class);
        assertThat(a.acknowledged()).isTrue();
        assertThat(a.getMessage()).contains(pipeline.client.topics().requests() + "-2@1");
        assertThat(b.getMessage()).contains(pipeline.client.topics().requests() + "-2@1");
    }

    @Test
    void aFullSendQueueBlocksTheCallerThenFailsTheRequest() {
        pipeline = MockPipeline.started(b -> b.requestTimeout(LONG).kafkaProperty("max.block.ms", 200));
        List<String> keys = keysOf(0, 200);
        holdTheSender(keys.get(0));
        String big = "x".repeat(Limits.MAX_VALUE_BYTES);
        List<CompletableFuture<WriteResult>> queued = new ArrayList<>();
        // Each request encodes to the value plus well under 200 bytes: this many fit, one more does not.
        int fit = (int) (KvClient.MAX_QUEUED_BYTES / (Limits.MAX_VALUE_BYTES + 200));
        for (int i = 1; i <= fit; i++) {
            queued.add(pipeline.client.put(keys.get(i), big));
        }
        long start = System.nanoTime();
        CompletableFuture<WriteResult> refused = pipeline.client.put(keys.get(fit + 1), big);
        long waitedMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(waitedMs).isBetween(150L, 5_000L);
        assertThat(cause(refused, RequestSendException.class)).hasMessageContaining("send queue stayed full");
        assertThat(queued).noneMatch(CompletableFuture::isDone);
        pipeline.producer.release();
        assertThat(pipeline.sent()).hasSize(fit + 1);
    }

    @Test
    void theBatchSizeIsWhatTheWriterPredicts() {
        assertThat(BatchValueWriter.batchSize(3, 100)).isEqualTo(5 + 1 + 1 + 100 + 1);
        assertThat(BatchValueWriter.batchSize(64, 100)).isEqualTo(5 + 1 + 2 + 100 + 1);
    }

    private static <T extends Throwable> T cause(CompletableFuture<?> future, Class<T> type) {
        try {
            future.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(type);
            return type.cast(e.getCause());
        } catch (Exception e) {
            throw new AssertionError("the future did not fail in time", e);
        }
        throw new AssertionError("the future completed normally");
    }
}
