package io.kvpipe.producers.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvpipe.producers.client.KvClient;
import io.kvpipe.producers.client.KvClientConfig;
import io.kvpipe.producers.client.RequestTimeoutException;
import io.kvpipe.producers.testing.KafkaTestCluster;
import io.kvpipe.producers.testing.StubSchemaRegistryServer;
import io.kvpipe.schemas.Topics;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A run against a broker where no pipeline answers: it stops at the first failed request instead
 * of sending every remaining one into the same timeout.
 */
class BenchStopIT {

    private static KafkaTestCluster cluster;
    private static StubSchemaRegistryServer registry;
    private static KvClientConfig config;

    @BeforeAll
    static void start() throws Exception {
        cluster = KafkaTestCluster.start();
        registry = new StubSchemaRegistryServer();
        cluster.createPipelineTopics(Topics.defaults(), 2, 2);
        config = KvClientConfig.builder()
                .bootstrapServers(cluster.bootstrapServers())
                .schemaRegistryUrl(registry.url())
                .requestTimeout(Duration.ofSeconds(5))
                .closeTimeout(Duration.ofSeconds(2))
                .build();
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
        cluster.close();
    }

    @Test
    void aLoadRunSendsNothingAfterItsFirstFailure() throws Exception {
        // 2 clients, 5 in flight each: the first 10 go out, time out (no pipeline reads them), and
        // the other 990 are never sent.
        LoadRun.Result result = LoadRun.run(() -> KvClient.create(config), new LoadRun.Settings(1000, 10, 2, 5, 10),
                done -> { });

        assertThat(result.firstFailure()).isInstanceOf(RequestTimeoutException.class);
        assertThat(result.failed()).isEqualTo(10);
        assertThat(result.notSent()).isEqualTo(990);
        assertThat(result.committed() + result.rejected() + result.aborted()).isZero();
        assertThat(result.requestsWritten()).isEqualTo(10);
    }

    @Test
    void theBenchSaysWhyItStoppedAndGoesNoFurther() {
        Bench bench = new Bench(config, () -> KvClient.create(config));

        assertThatThrownBy(() -> bench.run(new LoadRun.Settings(500, 10, 1, 3, 10), 2))
                .isInstanceOf(BenchStoppedException.class)
                .hasMessageContaining("single-key run failed")
                .hasMessageContaining("497 requests of that run were not sent")
                .hasCauseInstanceOf(RequestTimeoutException.class);
    }
}
