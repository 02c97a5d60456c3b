package io.kvpipe.app.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvpipe.app.heartbeat.TaskProgress;
import io.kvpipe.app.membership.Member;
import io.kvpipe.app.membership.MemberStatus;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.internals.StreamsMetadataImpl;
import org.junit.jupiter.api.Test;

class ClusterViewTest {

    private static final String REQUESTS = "kv-requests";

    private static StreamsMetadata client(String host, Set<Integer> actives, Set<Integer> standbys) {
        return new StreamsMetadataImpl(new HostInfo(host, 1), Set.of("kv"), partitions(actives), Set.of("kv"),
                partitions(standbys));
    }

    private static Set<TopicPartition> partitions(Set<Integer> numbers) {
        Set<TopicPartition> set = new HashSet<>();
        numbers.forEach(n -> {
            set.add(new TopicPartition(REQUESTS, n));
            set.add(new TopicPartition("kv-txn-protocol", n)); // other source topics are not listed twice
        });
        return set;
    }

    @Test
    void partitionsComeFromStreamsMetadataAndStatusAndLagFromHeartbeats() {
        Map<String, Member> members = Map.of(
                "a", new Member("a", "a:1", 0, 7, List.of(new TaskProgress(0, 41, 0L)),
                        List.of(new TaskProgress(1, 9, 3L)), MemberStatus.ALIVE, 250, 0.4),
                "b", new Member("b", "b:1", 0, 8, List.of(new TaskProgress(1, 12, 0L)),
                        List.of(new TaskProgress(0, 40, null)), MemberStatus.DEAD, 4500, 300));
        List<StreamsMetadata> clients = List.of(
                client("a", Set.of(0), Set.of(1)),
                client("b", Set.of(1), Set.of(0)),
                client("c", Set.of(), Set.of(1)));

        JsonNode body = ClusterView.describe("a", clients, REQUESTS, members);

        assertThat(body.get("servedBy").asText()).isEqualTo("a");
        assertThat(body.get("instances")).hasSize(3);
        JsonNode b = body.get("instances").get(1);
        assertThat(b.get("instanceId").asText()).isEqualTo("b");
        assertThat(b.get("status").asText()).isEqualTo("DEAD");
        assertThat(b.get("secondsSinceLastBeat").asDouble()).isEqualTo(4.5);
        assertThat(b.get("primaries").get(0).get("offset").asLong()).isEqualTo(12);
        JsonNode c = body.get("instances").get(2);
        assertThat(c.get("instanceId").isNull()).isTrue();
        assertThat(c.get("status").asText()).isEqualTo("UNKNOWN");

        JsonNode partitions = body.get("partitions");
        assertThat(partitions).hasSize(2);
        assertThat(partitions.get(0).get("primary").get("instanceId").asText()).isEqualTo("a");
        assertThat(partitions.get(0).get("replicas").get(0).get("instanceId").asText()).isEqualTo("b");
        assertThat(partitions.get(0).get("replicas").get(0).get("lag").isNull()).isTrue();
        JsonNode p1 = partitions.get(1);
        assertThat(p1.get("primary").get("status").asText()).isEqualTo("DEAD");
        assertThat(p1.get("replicas")).hasSize(2);
        assertThat(p1.get("replicas").get(0).get("endpoint").asText()).isEqualTo("a:1");
        assertThat(p1.get("replicas").get(0).get("lag").asLong()).isEqualTo(3);
        assertThat(p1.get("replicas").get(1).get("status").asText()).isEqualTo("UNKNOWN");
    }
}
