package io.kvpipe.producers.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import io.kvpipe.producers.testing.KafkaTestCluster;
import io.kvpipe.producers.testing.Responder;
import io.kvpipe.producers.testing.StubSchemaRegistryServer;
import io.kvpipe.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client against a real broker (in this JVM), with a stand-in responder playing the pipeline
 * (see {@link Responder} for what it answers to which key prefix).
 */
class KvClientIT {

    private static final int REQUEST_PARTITIONS = 4;
    private static final int RESULT_PARTITIONS = 3;
    private static final Topics TOPICS = Topics.defaults();

    private static KafkaTestCluster cluster;
    private static StubSchemaRegistryServer registry;
    private static Responder responder;

    @BeforeAll
    static void start() throws Exception {
        cluster = KafkaTestCluster.start();
        registry = new StubSchemaRegistryServer();
        cluster.createPipelineTopics(TOPICS, REQUEST_PARTITIONS, RESULT_PARTITIONS);
        responder = new Responder(cluster.bootstrapServers(), registry.url(), TOPICS, RESULT_PARTITIONS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (responder != null) {
            responder.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static KvClient client(UnaryOperator<KvClientConfig.Builder> settings) {
        return KvClient.create(settings.apply(KvClientConfig.builder()
                .bootstrapServers(cluster.bootstrapServers())
                .schemaRegistryUrl(registry.url())
                .requestTimeout(Duration.ofSeconds(20))).build());
    }

    private static WriteResult get(CompletableFuture<WriteResult> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }

    @Test
    void everyWriteCompletesWithItsOutcome() throws Exception {
        try (KvClient client = client(b -> b)) {
            WriteResult put = get(client.put("user:42", "Ada"));
            assertThat(put.isCommitted()).isTrue();
            WrittenKey written = put.written("user:42").orElseThrow();
            assertThat(written.version()).isEqualTo(1);
            // The request went to the partition the consistent-hash partitioner gives its key.
            assertThat(written.partition()).isEqualTo(ConsistentHashPartitioner.partitionFor("user:42",
                    REQUEST_PARTITIONS));
            assertThat(written.positionToken()).isEqualTo(written.partition() + ":" + written.offset());

            assertThat(get(client.compareAndSet("user:42", 1, "Ada L.")).written("user:42").orElseThrow().version())
                    .isEqualTo(2);
            assertThat(get(client.add("counter", 5)).isCommitted()).isTrue();
            assertThat(get(client.add("counter", -5, 0)).isCommitted()).isTrue();
            assertThat(get(client.delete("user:42")).written("user:42").orElseThrow().version()).isEqualTo(3);
        }
    }

    @Test
    void aRejectionCompletesNormally() throws Exception {
        try (KvClient client = client(b -> b)) {
            WriteResult r = get(client.compareAndSet("reject:k", 2, "v"));
            assertThat(r.status()).isEqualTo(WriteResult.Status.REJECTED);
            assertThat(r.reason()).contains(RejectReason.VERSION_MISMATCH);
            assertThat(r.detail()).contains("expected 2, found 3");
        }
    }

    @Test
    void aMultiOpRequestIsRoutedByItsFirstKey() throws Exception {
        try (KvClient client = client(b -> b)) {
            WriteResult r = get(client.submit(List.of(Op.put("tx:a", "1"), Op.put("tx:b", "2"), Op.check("tx:c", 1))));
            assertThat(r.writes()).extracting(WrittenKey::key).containsExactly("tx:a", "tx:b");
            assertThat(r.writes()).allSatisfy(w -> assertThat(w.partition())
                    .isEqualTo(ConsistentHashPartitioner.partitionFor("tx:a", REQUEST_PARTITIONS)));
        }
    }

    @Test
    void manyConcurrentRequestsAllComplete() throws Exception {
        try (KvClient client = client(b -> b)) {
            List<CompletableFuture<WriteResult>> futures = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                futures.add(client.put("many:" + i, "v" + i));
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertThat(futures).allSatisfy(f -> assertThat(f.join().isCommitted()).isTrue());
            assertThat(client.pendingRequests()).isZero();
        }
    }

    @Test
    void onlyTheReplyPartitionIsRead() throws Exception {
        try (KvClient client = client(b -> b.requestTimeout(Duration.ofSeconds(2)))) {
            // A REJECTED outcome with the same id lands on another partition half a second before
            // the COMMITTED one reaches the reply partition: the client never sees the first.
            assertThat(get(client.put("decoy:k", "v")).isCommitted()).isTrue();
            // An outcome written only to another partition is never read: the request times out.
            CompletableFuture<WriteResult> misdirected = client.put("misdirected:k", "v");
            assertThatThrownBy(() -> get(misdirected)).cause().isInstanceOf(RequestTimeoutException.class);
        }
    }

    @Test
    void clientsSharingAReplyPartitionEachGetTheirOwnOutcomes() throws Exception {
        try (KvClient a = client(b -> b.replyPartition(1)); KvClient b = client(c -> c.replyPartition(1))) {
            List<CompletableFuture<WriteResult>> fromA = new ArrayList<>();
            List<CompletableFuture<WriteResult>> fromB = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                fromA.add(a.put("shared:a" + i, "x"));
                fromB.add(b.put("shared:b" + i, "y"));
            }
            for (int i = 0; i < 50; i++) {
                assertThat(get(fromA.get(i)).written("shared:a" + i)).isPresent();
                assertThat(get(fromB.get(i)).written("shared:b" + i)).isPresent();
            }
        }
    }

    @Test
    void aRequestWithoutAnOutcomeTimesOut() {
        try (KvClient client = client(b -> b.requestTimeout(Duration.ofSeconds(1)))) {
            long start = System.nanoTime();
            CompletableFuture<WriteResult> future = client.put("silent:k", "v");
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> future.get(30, TimeUnit.SECONDS));
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            RequestTimeoutException timeout = (RequestTimeoutException) e.getCause();
            assertThat(timeout.acknowledged()).isTrue();
            assertThat(timeout).hasMessageContaining(timeout.requestId()).hasMessageContaining("within 1 s");
            assertThat(elapsedMs).isBetween(1_000L, 5_000L);
        }
    }

    @Test
    void aRetryWithTheSameIdGetsTheFirstOutcome() throws Exception {
        String id;
        WriteResult first;
        try (KvClient client = client(b -> b)) {
            id = client.newRequestId();
            first = get(client.submit(id, List.of(Op.add("retried", 10))));
            WriteResult again = get(client.submit(id, List.of(Op.add("retried", 10))));
            assertThat(again.writes()).isEqualTo(first.writes());
            assertThat(responder.timesSeen(id)).isEqualTo(2);
        }
        // A new client instance (an application restart) retrying the id gets it too: the first
        // outcome is older than where the new client starts reading, but the retry's copy is not.
        try (KvClient restarted = client(b -> b)) {
            WriteResult third = get(restarted.submit(id, List.of(Op.add("retried", 10))));
            assertThat(third.writes()).isEqualTo(first.writes());
            assertThat(responder.timesSeen(id)).isEqualTo(3);
            WriteResult fresh = get(restarted.add("retried", 10));
            assertThat(fresh.written("retried").orElseThrow().version()).isEqualTo(2);
        }
    }

    @Test
    void closeFailsPendingRequestsAndReturnsPromptly() {
        KvClient client = client(b -> b.requestTimeout(Duration.ofSeconds(60)));
        CompletableFuture<WriteResult> pending = client.put("silent:close", "v");
        long start = System.nanoTime();
        client.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
        assertThatThrownBy(() -> pending.get(1, TimeUnit.SECONDS)).cause().isInstanceOf(ClientClosedException.class);
        assertThatThrownBy(() -> client.put("k", "v").get(1, TimeUnit.SECONDS))
                .cause().isInstanceOf(ClientClosedException.class);
    }
}
