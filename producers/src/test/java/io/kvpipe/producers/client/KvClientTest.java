package io.kvpipe.producers.client;

import static io.kvpipe.producers.client.MockPipeline.TOPICS;
import static io.kvpipe.producers.client.MockPipeline.committed;
import static io.kvpipe.producers.client.MockPipeline.rejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kvpipe.avro.Add;
import io.kvpipe.avro.CompareAndSet;
import io.kvpipe.avro.Put;
import io.kvpipe.avro.Request;
import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KvClientTest {

    private static final Duration LONG = Duration.ofSeconds(30);
    private MockPipeline pipeline;

    @AfterEach
    void closeClient() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void sendsARequestKeyedByItsRoutingKeyWithTheReplyAddress() {
        pipeline = MockPipeline.started(b -> b.clientId("client-a").requestTimeout(LONG));
        pipeline.client.put("user:42", "Ada");

        ProducerRecord<String, byte[]> record = pipeline.sentRecords().get(0);
        assertThat(record.topic()).isEqualTo(TOPICS.requests());
        assertThat(record.key()).isEqualTo("user:42");
        assertThat(record.partition()).isEqualTo(ConsistentHashPartitioner.partitionFor("user:42",
                MockPipeline.REQUEST_PARTITIONS));
        assertThat(pipeline.isBatch(record)).isFalse();
        Request request = pipeline.decode(record).get(0);
        assertThat(request.getReplyTo().getClientId()).isEqualTo("client-a");
        assertThat(request.getReplyTo().getPartition()).isEqualTo(pipeline.client.replyPartition());
        assertThat(request.getOps()).hasSize(1);
        assertThat(request.getOps().get(0).getKey()).isEqualTo("user:42");
        assertThat(request.getOps().get(0).getAction()).isEqualTo(Put.newBuilder().setValue("Ada").build());
        assertThat(request.getRequestId()).isNotBlank();
        assertThat(request.getTimestampMs()).isPositive();
    }

    @Test
    void theReplyPartitionDefaultsToTheClientIdsHashOverTheResultsPartitions() {
        pipeline = MockPipeline.started(b -> b.clientId("client-b").requestTimeout(LONG));
        assertThat(pipeline.client.replyPartition())
                .isEqualTo(ConsistentHashPartitioner.partitionFor("client-b", MockPipeline.RESULT_PARTITIONS));
        assertThat(pipeline.consumer.assignment()).containsExactly(
                new org.apache.kafka.common.TopicPartition(TOPICS.results(), pipeline.client.replyPartition()));
    }

    @Test
    void aMultiOpRequestIsRoutedByItsFirstKey() {
        pipeline = MockPipeline.started(LONG);
        pipeline.client.submit(List.of(Op.add("b", 5), Op.compareAndSet("a", ExpectedVersion.absent(), "x"),
                Op.check("c", 3)));

        ProducerRecord<String, byte[]> record = pipeline.sentRecords().get(0);
        assertThat(record.key()).isEqualTo("b");
        assertThat(record.partition()).isEqualTo(ConsistentHashPartitioner.partitionFor("b",
                MockPipeline.REQUEST_PARTITIONS));
        Request request = pipeline.decode(record).get(0);
        assertThat(request.getOps()).extracting(o -> o.getKey()).containsExactly("b", "a", "c");
        assertThat(request.getOps().get(0).getAction())
                .isEqualTo(Add.newBuilder().setDelta(5).setFloor(null).build());
        assertThat(request.getOps().get(1).getAction())
                .isEqualTo(CompareAndSet.newBuilder().setExpectedVersion(null).setValue("x").build());
    }

    @Test
    void completesWithTheCommittedOutcome() throws Exception {
        pipeline = MockPipeline.started(LONG);
        CompletableFuture<WriteResult> future = pipeline.client.put("k", "v");
        String id = pipeline.lastSent().getRequestId();

        pipeline.reply(committed(id, "k", 3, 2, 118));

        WriteResult result = future.get(10, TimeUnit.SECONDS);
        assertThat(result.isCommitted()).isTrue();
        assertThat(result.requestId()).isEqualTo(id);
        assertThat(result.reason()).isEmpty();
        assertThat(result.written("k")).contains(new WrittenKey("k", 3, 2, 118));
        assertThat(result.written("k").orElseThrow().positionToken()).isEqualTo("2:118");
        assertThat(pipeline.client.pendingRequests()).isZero();
    }

    @Test
    void aRejectionIsANormalResult() throws Exception {
        pipeline = MockPipeline.started(LONG);
        CompletableFuture<WriteResult> future = pipeline.client.compareAndSet("k", 2, "v");
        String id = pipeline.lastSent().getRequestId();

        pipeline.reply(rejected(id, io.kvpipe.avro.RejectReason.VERSION_MISMATCH, "expected 2, found 3"));

        WriteResult result = future.get(10, TimeUnit.SECONDS);
        assertThat(result.status()).isEqualTo(WriteResult.Status.REJECTED);
        assertThat(result.reason()).contains(RejectReason.VERSION_MISMATCH);
        assertThat(result.failedOp()).hasValue(0);
        assertThat(result.detail()).contains("expected 2, found 3");
        assertThat(result.writes()).isEmpty();
    }

    @Test
    void outcomesOfOtherRequestsOnTheSharedPartitionAreIgnored() throws Exception {
        pipeline = MockPipeline.started(LONG);
        CompletableFuture<WriteResult> future = pipeline.client.put("k", "v");
        String id = pipeline.lastSent().getRequestId();
        int mine = pipeline.client.replyPartition();

        pipeline.reply(mine, "someone-else-1", committed("someone-else-1", "k", 9, 0, 0));
        pipeline.replyBytes(mine, "someone-else-2", new byte[] {1, 2, 3}); // not even decodable
        pipeline.replyBytes(mine, null, new byte[] {0});
        // A record keyed by our id but holding another request's outcome is not ours either.
        pipeline.reply(mine, id, committed("someone-else-3", "k", 9, 0, 0));
        pipeline.reply(committed(id, "k", 1, 0, 7));

        assertThat(future.get(10, TimeUnit.SECONDS).written("k").orElseThrow().version()).isEqualTo(1);
    }

    @Test
    void withBatchedOutcomesEveryRequestAsksAndABatchKeyedByTheClientCompletesEachOfItsRequests()
            throws Exception {
        pipeline = MockPipeline.started(b -> b.clientId("client-a").requestTimeout(LONG).batchedOutcomes(true));
        CompletableFuture<WriteResult> put = pipeline.client.put("k", "v");
        CompletableFuture<WriteResult> cas = pipeline.client.compareAndSet("j", 2, "w");
        CompletableFuture<WriteResult> unanswered = pipeline.client.put("m", "x");
        List<Request> sent = pipeline.sent();
        assertThat(sent).allSatisfy(r -> assertThat(r.getBatchedOutcomes()).isTrue());

        // Another client's batch on the shared partition is skipped by its key, not read: even one
        // that (wrongly) holds an outcome of this client's request.
        pipeline.replyBatch("client-b", committed(sent.get(2).getRequestId(), "m", 1, 1, 9));
        pipeline.replyBatch("client-a",
                committed(sent.get(0).getRequestId(), "k", 4, 1, 10),
                committed("timed-out-or-unknown", "z", 1, 1, 10),
                rejected(sent.get(1).getRequestId(), io.kvpipe.avro.RejectReason.VERSION_MISMATCH, "expected 2"));

        assertThat(put.get(10, TimeUnit.SECONDS).written("k").orElseThrow().version()).isEqualTo(4);
        assertThat(cas.get(10, TimeUnit.SECONDS).reason()).contains(RejectReason.VERSION_MISMATCH);
        assertThat(unanswered).isNotDone();
        assertThat(pipeline.client.pendingRequests()).isEqualTo(1);
    }

    @Test
    void requestsDoNotAskForBatchedOutcomesByDefault() {
        pipeline = MockPipeline.started(LONG);
        pipeline.client.put("k", "v");
        pipeline.client.transaction(Op.put("a", "1"), Op.put("b", "2"));

        assertThat(pipeline.sent()).isNotEmpty().allSatisfy(r -> assertThat(r.getBatchedOutcomes()).isFalse());
    }

    @Test
    void outcomesBeforeTheStartPositionAreNotRead() throws Exception {
        pipeline = new MockPipeline(true);
        pipeline.resultsEndAt(5);
        pipeline.start(b -> b.requestTimeout(LONG));
        // An old outcome for the same id, written before the client started (offset 2 < end 5)...
        pipeline.replyAt(2, rejected("retried-id", io.kvpipe.avro.RejectReason.OTHER, "old"));
        CompletableFuture<WriteResult> future = pipeline.client.submit("retried-id", List.of(Op.put("k", "v")));
        // ...is skipped: the pipeline answers the retry with a new copy of the first outcome.
        pipeline.replyAt(5, committed("retried-id", "k", 1, 0, 0));

        assertThat(future.get(10, TimeUnit.SECONDS).isCommitted()).isTrue();
    }

    @Test
    void aRequestWithoutAnOutcomeTimesOutNamingItsIdAndTheTimeout() {
        pipeline = MockPipeline.started(Duration.ofMillis(300));
        long start = System.nanoTime();
        CompletableFuture<WriteResult> future = pipeline.client.put("k", "v");
        String id = pipeline.lastSent().getRequestId();

        assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(RequestTimeoutException.class)
                .hasMessageContaining(id)
                .hasMessageContaining("300 ms")
                .hasMessageContaining(TOPICS.requests() + "-"); // acknowledged: says where it was written
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(elapsedMs).isBetween(300L, 3_000L);
        RequestTimeoutException timeout = cause(future, RequestTimeoutException.class);
        assertThat(timeout.requestId()).isEqualTo(id);
        assertThat(timeout.timeout()).isEqualTo(Duration.ofMillis(300));
        assertThat(timeout.acknowledged()).isTrue();
        assertThat(pipeline.client.pendingRequests()).isZero();

        // A late outcome is ignored.
        pipeline.reply(committed(id, "k", 1, 0, 0));
        assertThat(cause(future, RequestTimeoutException.class)).isSameAs(timeout);
    }

    @Test
    void aTimeoutOfAnUnacknowledgedRequestSaysKafkaDidNotTakeIt() {
        pipeline = new MockPipeline(false); // the producer never completes the send
        pipeline.start(b -> b.requestTimeout(Duration.ofMillis(200)));
        CompletableFuture<WriteResult> future = pipeline.client.put("k", "v");

        RequestTimeoutException timeout = cause(future, RequestTimeoutException.class);
        assertThat(timeout.acknowledged()).isFalse();
        assertThat(timeout).hasMessageContaining("not acknowledged");
    }

    @Test
    void aSendFailureFailsTheFuture() {
        pipeline = new MockPipeline(false);
        pipeline.start(b -> b.requestTimeout(LONG));
        CompletableFuture<WriteResult> future = pipeline.client.put("k", "v");
        String id = pipeline.lastSent().getRequestId();

        pipeline.producer.errorNext(new NetworkException("broker gone"));

        RequestSendException failure = cause(future, RequestSendException.class);
        assertThat(failure.requestId()).isEqualTo(id);
        assertThat(failure).hasMessageContaining(id).hasRootCauseInstanceOf(NetworkException.class);
        assertThat(pipeline.client.pendingRequests()).isZero();
    }

    @Test
    void aLateFailureOfAnEarlierSendDoesNotFailARetryUnderWay() throws Exception {
        pipeline = new MockPipeline(false);
        pipeline.start(b -> b.requestTimeout(LONG));
        String id = pipeline.client.newRequestId();
        CompletableFuture<WriteResult> first = pipeline.client.submit(id, List.of(Op.put("k", "v")));
        assertThat(pipeline.sentRecords()).hasSize(1);
        CompletableFuture<WriteResult> retry = pipeline.client.submit(id, List.of(Op.put("k", "v")));
        assertThat(pipeline.sentRecords()).hasSize(2);

        pipeline.producer.errorNext(new NetworkException("stale connection")); // the first send, late
        pipeline.producer.completeNext(); // the retry: Kafka has it, its outcome will come

        assertThat(retry).isSameAs(first).isNotDone();
        pipeline.reply(committed(id, "k", 1, 0, 0));
        assertThat(retry.get(10, TimeUnit.SECONDS).isCommitted()).isTrue();
    }

    @Test
    void theLatestSendsFailureStillFailsTheRequest() {
        pipeline = new MockPipeline(false);
        pipeline.start(b -> b.requestTimeout(LONG));
        String id = pipeline.client.newRequestId();
        pipeline.client.submit(id, List.of(Op.put("k", "v")));
        assertThat(pipeline.sentRecords()).hasSize(1);
        CompletableFuture<WriteResult> retry = pipeline.client.submit(id, List.of(Op.put("k", "v")));
        assertThat(pipeline.sentRecords()).hasSize(2);

        pipeline.producer.completeNext(); // the first send was taken...
        pipeline.producer.errorNext(new NetworkException("broker gone")); // ...the retry was not

        assertThat(cause(retry, RequestSendException.class).requestId()).isEqualTo(id);
    }

    @Test
    void aSerializationFailureFailsTheFuture() {
        pipeline = MockPipeline.started(LONG);
        pipeline.registry.unreachable(true);
        // A new schema must be looked up: a fresh pipeline registry has not seen Request yet.
        CompletableFuture<WriteResult> future = pipeline.client.put("k", "v");

        RequestSendException failure = cause(future, RequestSendException.class);
        assertThat(failure.getCause()).isInstanceOf(SerializationException.class);
        assertThat(pipeline.client.pendingRequests()).isZero();
    }

    @Test
    void anUndecodableOutcomeForAPendingRequestFailsIt() {
        pipeline = MockPipeline.started(LONG);
        CompletableFuture<WriteResult> future = pipeline.client.put("k", "v");
        String id = pipeline.lastSent().getRequestId();

        pipeline.replyBytes(pipeline.client.replyPartition(), id, new byte[] {0, 0, 0, 0, 99, 1});

        KvClientException failure = cause(future, KvClientException.class);
        assertThat(failure.requestId()).isEqualTo(id);
        assertThat(failure).hasMessageContaining("could not decode the outcome of request " + id);
    }

    @Test
    void resendingAPendingRequestIdSendsItAgainAndSharesTheFuture() throws Exception {
        pipeline = MockPipeline.started(LONG);
        String id = pipeline.client.newRequestId();
        CompletableFuture<WriteResult> first = pipeline.client.submit(id, List.of(Op.put("k", "v")));
        CompletableFuture<WriteResult> again = pipeline.client.submit(id, List.of(Op.put("k", "v")));

        assertThat(again).isSameAs(first);
        assertThat(pipeline.sent()).extracting(Request::getRequestId).containsExactly(id, id);
        pipeline.reply(committed(id, "k", 1, 0, 0));
        assertThat(first.get(10, TimeUnit.SECONDS).isCommitted()).isTrue();
        assertThat(pipeline.client.pendingRequests()).isZero();
    }

    @Test
    void onlyAnIdTheClientMadeForTheSendIsMarkedFresh() {
        pipeline = MockPipeline.started(LONG);
        pipeline.client.put("a", "v");
        pipeline.client.add("b", 1, 0);
        pipeline.client.transaction(Op.put("c", "1"), Op.put("d", "2"));
        pipeline.client.transaction(List.of(Op.put("e", "1"), Op.put("f", "2")), Duration.ofSeconds(2));
        String stored = pipeline.client.newRequestId();
        pipeline.client.submit(stored, List.of(Op.put("g", "v")));
        pipeline.client.transaction(pipeline.client.newRequestId(), List.of(Op.put("h", "1"), Op.put("i", "2")), null);

        assertThat(pipeline.sent()).filteredOn(Request::getFreshId)
                .extracting(r -> r.getOps().get(0).getKey()).containsOnly("a", "b", "c", "e");
        assertThat(pipeline.sent()).filteredOn(r -> !r.getFreshId())
                .extracting(r -> r.getOps().get(0).getKey()).containsOnly("g", "h");
    }

    @Test
    void requestIdsAreUniqueAndGeneratedPerClientInstance() {
        pipeline = MockPipeline.started(b -> b.clientId("same").requestTimeout(LONG));
        String a = pipeline.client.newRequestId();
        String b = pipeline.client.newRequestId();
        assertThat(a).isNotEqualTo(b);
        try (MockPipeline other = MockPipeline.started(c -> c.clientId("same").requestTimeout(LONG))) {
            // A restarted client with the same client id does not reuse ids.
            assertThat(other.client.newRequestId()).isNotIn(a, b);
        }
    }

    @Test
    void closeFailsPendingRequestsAndLaterOnes() {
        pipeline = MockPipeline.started(LONG);
        CompletableFuture<WriteResult> pending = pipeline.client.put("k", "v");
        String id = pipeline.lastSent().getRequestId();

        long start = System.nanoTime();
        pipeline.client.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));

        ClientClosedException closed = cause(pending, ClientClosedException.class);
        assertThat(closed.requestId()).isEqualTo(id);
        assertThat(closed).hasMessageContaining("closed");
        assertThat(cause(pipeline.client.delete("k"), ClientClosedException.class)).isNotNull();
        assertThat(pipeline.producer.closed()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(pipeline.consumer::closed);
        pipeline.client.close(); // idempotent
    }

    @Test
    void closeFromADependentActionOnTheResultsThreadDoesNotHang() throws Exception {
        pipeline = MockPipeline.started(LONG);
        CompletableFuture<WriteResult> future = pipeline.client.put("k", "v");
        CompletableFuture<Void> closedInCallback = future.thenRun(pipeline.client::close);
        pipeline.reply(committed(pipeline.lastSent().getRequestId(), "k", 1, 0, 0));

        closedInCallback.get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(pipeline.consumer::closed);
    }

    @Test
    void futuresCompleteOnTheConfiguredExecutor() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "app-completions"));
        try {
            pipeline = MockPipeline.started(b -> b.requestTimeout(LONG).completionExecutor(executor));
            AtomicReference<String> thread = new AtomicReference<>();
            CompletableFuture<Void> done = pipeline.client.put("k", "v")
                    .thenAccept(r -> thread.set(Thread.currentThread().getName()));
            pipeline.reply(committed(pipeline.lastSent().getRequestId(), "k", 1, 0, 0));
            done.get(10, TimeUnit.SECONDS);
            assertThat(thread.get()).isEqualTo("app-completions");
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void aMissingTopicFailsAtStart() {
        MockPipeline broken = new MockPipeline(true);
        broken.consumer.updatePartitions(TOPICS.results(), List.of());
        // A short timeout: a missing topic is asked for again until the request timeout (at most 10 s).
        assertThatThrownBy(() -> broken.start(b -> b.requestTimeout(Duration.ofMillis(300))))
                .isInstanceOf(KvClientException.class)
                .hasMessageContaining("topic kv-results does not exist");
        assertThat(broken.producer.closed()).isTrue();
    }

    @Test
    void aReplyPartitionBeyondTheResultsTopicFailsAtStart() {
        MockPipeline broken = new MockPipeline(true);
        assertThatThrownBy(() -> broken.start(b -> b.requestTimeout(LONG).replyPartition(4)))
                .isInstanceOf(KvClientException.class)
                .hasMessageContaining("reply partition 4 does not exist");
    }

    @Test
    void invalidArgumentsFailAtOnce() {
        pipeline = MockPipeline.started(LONG);
        KvClient client = pipeline.client;
        assertThatThrownBy(() -> client.put("", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.put("k", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.submit(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.submit(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.submit(" ", List.of(Op.delete("k"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.submit(java.util.Arrays.asList(Op.delete("k"), null)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(pipeline.sent()).isEmpty();
        assertThat(client.pendingRequests()).isZero();
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
