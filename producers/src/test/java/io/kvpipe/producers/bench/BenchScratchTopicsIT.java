package io.kvpipe.producers.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kvpipe.producers.testing.KafkaTestCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The raw-producer and peer runs measure on topics of their own and delete them afterwards, and the
 * peer's consumer group, so that repeated benches do not fill the broker's disk (on the embedded
 * default, the user's {@code ./data}) or its group list.
 */
class BenchScratchTopicsIT {

    private static KafkaTestCluster cluster;
    private static Map<String, Object> kafka;

    @BeforeAll
    static void start() throws Exception {
        cluster = KafkaTestCluster.start();
        kafka = Map.of("bootstrap.servers", cluster.bootstrapServers());
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static Set<String> topics() throws Exception {
        try (Admin admin = Admin.create(kafka)) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void theRawAndPeerRunsMeasureTheirRecordsAndLeaveNoTopicOrGroupBehind() throws Exception {
        // Given: a broker with a topic of someone else's.
        try (Admin admin = Admin.create(kafka)) {
            admin.createTopics(List.of(new NewTopic("other", 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
        }

        // When: a raw run and a peer run, as a bench makes them.
        double raw = RawProducerRun.run(kafka, "bench-raw-it", 2, 500, 50, 100);
        double peer = PeerStreamsRun.run(kafka, "it", 2, 100, 500, 50, 100);

        // Then: both measured, and only the other topic is left.
        assertThat(raw).isPositive();
        assertThat(peer).isPositive();
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(topics()).noneMatch(name -> name.startsWith("bench-")).contains("other"));
        // And the peer app's consumer group is gone too.
        assertThat(groups()).noneMatch(group -> group.startsWith("bench-peer-"));
    }

    private static List<String> groups() throws Exception {
        try (Admin admin = Admin.create(kafka)) {
            return admin.listGroups().all().get(30, TimeUnit.SECONDS).stream()
                    .map(org.apache.kafka.clients.admin.GroupListing::groupId).toList();
        }
    }
}
