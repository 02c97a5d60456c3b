package io.kvpipe.app.topology;

import io.kvpipe.schemas.testing.InMemorySchemaRegistry;
import static io.kvpipe.app.topology.Requests.put;
import static io.kvpipe.app.topology.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvpipe.app.heartbeat.ProcessingLiveness;
import io.kvpipe.avro.Request;
import io.kvpipe.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The topology's nodes, topics and stores, as the launcher and the query server rely on them. */
class TopologyShapeTest {

    @TempDir
    Path stateDir;

    @Test
    void readsRequestsAndProtocolWritesFourTopicsAndOneProcessorOwnsTheStores() {
        Topics topics = Topics.withPrefix("p-");
        TopologyDescription description = RequestTopology.build(TopologySettings.builder()
                .topics(topics).requestPartitions(4).registry(new InMemorySchemaRegistry())
                .liveness(new ProcessingLiveness()).instanceId("i").build()).describe();

        assertThat(description.subtopologies()).singleElement().satisfies(subtopology -> {
            assertThat(subtopology.nodes()).filteredOn(TopologyDescription.Source.class::isInstance)
                    .flatExtracting(node -> ((TopologyDescription.Source) node).topicSet())
                    .containsExactlyInAnyOrder("p-requests", "p-txn-protocol");
            assertThat(subtopology.nodes()).filteredOn(TopologyDescription.Sink.class::isInstance)
                    .extracting(node -> ((TopologyDescription.Sink) node).topic())
                    .containsExactlyInAnyOrder("p-changes", "p-results", "p-dead-letters", "p-txn-protocol");
            assertThat(subtopology.nodes()).filteredOn(TopologyDescription.Processor.class::isInstance)
                    .singleElement().satisfies(node -> assertThat(((TopologyDescription.Processor) node).stores())
                            .containsExactlyInAnyOrder(StoreNames.KV, StoreNames.DEDUP, StoreNames.LOCKS,
                                    StoreNames.TXNS, StoreNames.DECISIONS, StoreNames.UNBEGUN));
        });
        assertThat(description.globalStores()).isEmpty();
    }

    @Test
    void theStoresAreChangeloggedAndOnlyWhatIsInFlightLivesInMemory() {
        try (Pipeline pipeline = new Pipeline(stateDir)) {
            pipeline.send(request("r", put(Keys.here("k:"), "v")));
            pipeline.send(request("t", put(Keys.here("t:"), "v"), put(Keys.elsewhere("t:"), "w")));
            Request copy = request("c", put(Keys.elsewhere("c:"), "w"), put(Keys.here("c:"), "v"));
            copy.setSentToParticipants(true);
            pipeline.send(copy); // a participant's lock is written (a coordinator's own is only held)

            assertThat(pipeline.driver.getKeyValueStore(StoreNames.KV).persistent()).isTrue();
            for (String store : List.of(StoreNames.LOCKS, StoreNames.TXNS)) {
                assertThat(pipeline.driver.getKeyValueStore(store).persistent()).as(store).isFalse();
            }
            assertThat(pipeline.driver.getWindowStore(StoreNames.DEDUP).persistent()).isTrue();
            assertThat(pipeline.driver.getWindowStore(StoreNames.DECISIONS).persistent()).isTrue();
            assertThat(pipeline.driver.getWindowStore(StoreNames.UNBEGUN).persistent()).isTrue();
            assertThat(pipeline.driver.producedTopicNames()).contains(
                    "kvpipe-topology-test-kv-changelog",
                    "kvpipe-topology-test-dedup-window-changelog",
                    "kvpipe-topology-test-locks-changelog",
                    "kvpipe-topology-test-txns-changelog");
        }
    }

    @Test
    void settingsRefuseWhatCannotWork() {
        TopologySettings.Builder builder = TopologySettings.builder().topics(Topics.defaults())
                .registry(new InMemorySchemaRegistry()).liveness(new ProcessingLiveness()).instanceId("i");

        assertThatThrownBy(() -> builder.requestPartitions(0).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.requestPartitions(1).dedupRetention(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(builder.requestPartitions(1).dedupRetention(TopologySettings.DEFAULT_DEDUP_RETENTION).build()
                .dedupRetention()).isEqualTo(Duration.ofHours(24));
    }
}
