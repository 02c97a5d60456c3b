package io.kvpipe.producers.testing;

import io.kvpipe.schemas.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * One real KRaft node (combined broker and controller) in this JVM, from Kafka's test kit,
 * configured like a production broker: the latest production metadata version with the production
 * feature levels (setting the version alone would drop the features), unstable APIs and features
 * off, no topic auto-creation.
 */
public final class KafkaTestCluster implements AutoCloseable {

    private final KafkaClusterTestKit kit;
    private boolean closed;

    private KafkaTestCluster(KafkaClusterTestKit kit) {
        this.kit = kit;
    }

    public static KafkaTestCluster start() throws Exception {
        Map<String, Short> features = new HashMap<>();
        for (Feature feature : Feature.PRODUCTION_FEATURES) {
            if (!feature.featureName().equals(Feature.KRAFT_VERSION.featureName())) {
                features.put(feature.featureName(), feature.defaultLevel(MetadataVersion.LATEST_PRODUCTION));
            }
        }
        BootstrapMetadata bootstrap = BootstrapMetadata.fromVersions(MetadataVersion.LATEST_PRODUCTION, features,
                "kvpipe producers tests");
        TestKitNodes nodes = new TestKitNodes.Builder(bootstrap)
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .build();
        KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(nodes)
                .setConfigProp("unstable.api.versions.enable", "false")
                .setConfigProp("unstable.feature.versions.enable", "false")
                .setConfigProp("auto.create.topics.enable", "false")
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        try {
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
        } catch (Exception e) {
            kit.close();
            throw e;
        }
        return new KafkaTestCluster(kit);
    }

    public String bootstrapServers() {
        return kit.bootstrapServers();
    }

    /**
     * Creates the requests and results topics and waits until every partition has a leader (an
     * idempotent producer writing to a partition without one can fall into retry storms).
     */
    public void createPipelineTopics(Topics topics, int requestPartitions, int resultPartitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.createTopics(List.of(
                    new NewTopic(topics.requests(), requestPartitions, (short) 1),
                    new NewTopic(topics.results(), resultPartitions, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                Map<String, TopicDescription> described;
                try {
                    described = admin.describeTopics(Set.of(topics.requests(), topics.results())).allTopicNames()
                            .get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    // Right after creation the metadata may not know the topics yet: ask again.
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                            || System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(100);
                    continue;
                }
                boolean ready = described.values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .map(TopicPartitionInfo::leader)
                        .allMatch(leader -> leader != null && !leader.isEmpty());
                if (ready) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("partitions without a leader after 30 s: " + described);
                }
                Thread.sleep(100);
            }
        }
    }

    /** Stops the node and deletes its data; idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            try {
                kit.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stopping the test cluster", e);
            } catch (Exception e) {
                throw new IllegalStateException("stopping the test cluster failed", e);
            }
        }
    }
}
