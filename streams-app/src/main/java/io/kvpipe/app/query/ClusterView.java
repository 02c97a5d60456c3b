package io.kvpipe.app.query;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvpipe.app.heartbeat.TaskProgress;
import io.kvpipe.app.membership.Member;
import io.kvpipe.app.membership.MemberStatus;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.StreamsMetadata;

/**
 * The body of {@code GET /cluster}:
 * <pre>
 * {"servedBy": id,
 *  "instances": [{"instanceId","endpoint","status","secondsSinceLastBeat","phi","sequence",
 *                 "primaries": [{"partition","offset","lag"}], "replicas": [...]}],
 *  "partitions": [{"partition", "primary": {"endpoint","instanceId","status"} | null,
 *                  "replicas": [{"endpoint","instanceId","status","lag"}]}]}
 * </pre>
 * Instances come from the membership view (heartbeats), by id, then any Kafka Streams client that never
 * beat (status UNKNOWN, instanceId null). Partitions, their primary and replicas come from Kafka
 * Streams' metadata (the partitions of the source topic, normally the requests topic); status and
 * replica lag from the heartbeats of the instance at that endpoint.
 */
final class ClusterView {

    private ClusterView() {}

    static ObjectNode describe(String selfId, Collection<StreamsMetadata> clients, String sourceTopic,
            Map<String, Member> members) {
        Map<String, Member> byEndpoint = new HashMap<>();
        for (Member member : members.values()) {
            if (member.endpoint() != null) {
                byEndpoint.merge(member.endpoint(), member, (a, b) -> a.lastBeatMs() >= b.lastBeatMs() ? a : b);
            }
        }
        ObjectNode body = Reply.JSON.createObjectNode().put("servedBy", selfId);
        ArrayNode instances = body.putArray("instances");
        for (Member member : new TreeMap<>(members).values()) {
            ObjectNode node = instances.addObject()
                    .put("instanceId", member.instanceId())
                    .put("endpoint", member.endpoint())
                    .put("status", member.status().name())
                    .put("secondsSinceLastBeat", member.sinceLastBeatMs() / 1000.0)
                    .put("phi", Math.round(member.phi() * 100) / 100.0)
                    .put("sequence", member.sequence());
            progress(node.putArray("primaries"), member.primaries());
            progress(node.putArray("replicas"), member.replicas());
        }
        Set<String> silent = new TreeSet<>();
        Map<Integer, String> primaries = new TreeMap<>();
        Map<Integer, Set<String>> replicas = new TreeMap<>();
        for (StreamsMetadata client : clients) {
            String endpoint = Endpoints.of(client.hostInfo());
            if (!byEndpoint.containsKey(endpoint)) {
                silent.add(endpoint);
            }
            for (TopicPartition tp : client.topicPartitions()) {
                if (tp.topic().equals(sourceTopic)) {
                    primaries.put(tp.partition(), endpoint);
                    replicas.computeIfAbsent(tp.partition(), p -> new TreeSet<>());
                }
            }
            for (TopicPartition tp : client.standbyTopicPartitions()) {
                if (tp.topic().equals(sourceTopic)) {
                    replicas.computeIfAbsent(tp.partition(), p -> new TreeSet<>()).add(endpoint);
                }
            }
        }
        for (String endpoint : silent) {
            instances.addObject().putNull("instanceId").put("endpoint", endpoint)
                    .put("status", MemberStatus.UNKNOWN.name());
        }
        ArrayNode partitions = body.putArray("partitions");
        for (Map.Entry<Integer, Set<String>> entry : replicas.entrySet()) {
            int partition = entry.getKey();
            ObjectNode node = partitions.addObject().put("partition", partition);
            String primary = primaries.get(partition);
            if (primary == null) {
                node.putNull("primary");
            } else {
                holder(node.putObject("primary"), primary, byEndpoint.get(primary));
            }
            ArrayNode list = node.putArray("replicas");
            for (String endpoint : entry.getValue()) {
                Member member = byEndpoint.get(endpoint);
                ObjectNode replica = holder(list.addObject(), endpoint, member);
                Long lag = member == null ? null : member.replicas().stream()
                        .filter(p -> p.partition() == partition)
                        .map(TaskProgress::lag)
                        .filter(Objects::nonNull)
                        .findFirst().orElse(null);
                if (lag == null) {
                    replica.putNull("lag");
                } else {
                    replica.put("lag", lag);
                }
            }
        }
        return body;
    }

    private static ObjectNode holder(ObjectNode node, String endpoint, Member member) {
        node.put("endpoint", endpoint);
        if (member == null) {
            node.putNull("instanceId").put("status", MemberStatus.UNKNOWN.name());
        } else {
            node.put("instanceId", member.instanceId()).put("status", member.status().name());
        }
        return node;
    }

    private static void progress(ArrayNode array, List<TaskProgress> progress) {
        for (TaskProgress p : progress) {
            ObjectNode node = array.addObject().put("partition", p.partition()).put("offset", p.offset());
            if (p.lag() == null) {
                node.putNull("lag");
            } else {
                node.put("lag", p.lag());
            }
        }
    }
}
