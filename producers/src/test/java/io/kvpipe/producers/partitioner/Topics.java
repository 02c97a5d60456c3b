package io.kvpipe.producers.partitioner;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;

/** Cluster metadata for the producer-side Partitioner. */
final class Topics {

    static final String TOPIC = "kv-requests";
    private static final Node BROKER = new Node(0, "localhost", 9092);

    private Topics() {
    }

    /** A one-broker cluster where {@link #TOPIC} has {@code numPartitions} partitions. */
    static Cluster withPartitions(int numPartitions) {
        List<PartitionInfo> partitions = new ArrayList<>(numPartitions);
        for (int p = 0; p < numPartitions; p++) {
            partitions.add(new PartitionInfo(TOPIC, p, BROKER, new Node[] {BROKER}, new Node[] {BROKER}));
        }
        return new Cluster("test-cluster", List.of(BROKER), partitions, Set.of(), Set.of());
    }
}
