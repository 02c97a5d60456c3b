package io.kvpipe.producers.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvpipe.producers.testing.KafkaTestCluster;
import io.kvpipe.producers.testing.StubSchemaRegistryServer;
import io.kvpipe.schemas.Topics;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Without a broker, futures and the client fail within a bound instead of hanging. */
class UnreachableBrokerIT {

    @Test
    void startingWithoutAReachableBrokerFailsWithinTheTimeout() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort(); // free again once closed: nothing listens there
        }
        try (StubSchemaRegistryServer registry = new StubSchemaRegistryServer()) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> KvClient.create(KvClientConfig.builder()
                    .bootstrapServers("127.0.0.1:" + port)
                    .schemaRegistryUrl(registry.url())
                    .requestTimeout(Duration.ofSeconds(2))
                    .build()))
                    .isInstanceOf(KvClientException.class)
                    .hasMessageContaining("Kafka did not answer within 2 s");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void whenTheBrokerGoesAwayRequestsFailWithinABoundAndCloseReturns() throws Exception {
        Topics topics = Topics.defaults();
        KafkaTestCluster cluster = KafkaTestCluster.start();
        try (StubSchemaRegistryServer registry = new StubSchemaRegistryServer()) {
            cluster.createPipelineTopics(topics, 2, 2);
            KvClientConfig.Builder common = KvClientConfig.builder()
                    .bootstrapServers(cluster.bootstrapServers())
                    .schemaRegistryUrl(registry.url())
                    .closeTimeout(Duration.ofSeconds(2));
            // One client with the defaults (request timeout 3 s, so max.block.ms 1.5 s)...
            KvClient timingOut = KvClient.create(common.requestTimeout(Duration.ofSeconds(3)).build());
            // ...one whose producer gives up (2 s) well before its own request timeout (30 s).
            KvClient failingToSend = KvClient.create(common.requestTimeout(Duration.ofSeconds(30))
                    .kafkaProperty("delivery.timeout.ms", "2000")
                    .kafkaProperty("request.timeout.ms", "1000")
                    .kafkaProperty("max.block.ms", "2000")
                    .build());

            cluster.close();

            // A send may block while the producer has no metadata (it re-bootstraps once no broker
            // answers), but never beyond max.block.ms.
            long start = System.nanoTime();
            CompletableFuture<WriteResult> timedOut = timingOut.put("k", "v");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1_500 + 1_000));
            long sendStart = System.nanoTime();
            CompletableFuture<WriteResult> notSent = failingToSend.put("k", "v");
            assertThat(Duration.ofNanos(System.nanoTime() - sendStart)).isLessThan(Duration.ofMillis(2_000 + 1_000));

            // Depending on whether the producer still had metadata, the first request waits in
            // its buffer until the client's timeout, or fails the metadata wait: either way it
            // fails within the request timeout (plus a sweep tick).
            Throwable failure = failure(timedOut);
            if (failure instanceof RequestTimeoutException timeout) {
                assertThat(timeout.acknowledged()).isFalse();
                assertThat(timeout).hasMessageContaining("not acknowledged");
            } else {
                assertThat(failure).isInstanceOf(RequestSendException.class);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3 + 2));
            Throwable sendFailure = failure(notSent);
            assertThat(sendFailure).isInstanceOf(RequestSendException.class)
                    .hasMessageContaining("Kafka did not take request");
            assertThat(Duration.ofNanos(System.nanoTime() - sendStart)).isLessThan(Duration.ofSeconds(2 + 3));

            // Closing without a broker is bounded by the close timeout (2 s) per Kafka client.
            start = System.nanoTime();
            timingOut.close();
            failingToSend.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(12));
            assertThat(timingOut.pendingRequests()).isZero();
        } finally {
            cluster.close();
        }
    }

    private static Throwable failure(CompletableFuture<WriteResult> future) throws Exception {
        try {
            WriteResult r = future.get(30, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + r);
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }
}
