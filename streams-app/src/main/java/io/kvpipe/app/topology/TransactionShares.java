package io.kvpipe.app.topology;

import io.kvpipe.avro.Operation;
import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a cross-partition transaction's ops split over the partitions that own their keys: each
 * partition's share is the indexes of its ops, in transaction order. The coordinator is the
 * partition of the first key.
 */
final class TransactionShares {

    private TransactionShares() {}

    /** The partition that coordinates {@code ops}: its first key's. */
    static int coordinator(List<Operation> ops, int partitionCount) {
        return ConsistentHashPartitioner.partitionFor(ops.get(0).getKey(), partitionCount);
    }

    /** Op indexes grouped by the partition owning the op's key, partitions in ascending order. */
    static Map<Integer, List<Integer>> indexesByPartition(List<Operation> ops, int partitionCount) {
        Map<Integer, List<Integer>> byPartition = new TreeMap<>();
        for (int i = 0; i < ops.size(); i++) {
            int owner = ConsistentHashPartitioner.partitionFor(ops.get(i).getKey(), partitionCount);
            byPartition.computeIfAbsent(owner, p -> new ArrayList<>()).add(i);
        }
        return byPartition;
    }

    /** The indexes of the ops whose keys {@code partition} owns. */
    static List<Integer> indexesOn(List<Operation> ops, int partition, int partitionCount) {
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            if (ConsistentHashPartitioner.partitionFor(ops.get(i).getKey(), partitionCount) == partition) {
                indexes.add(i);
            }
        }
        return indexes;
    }

    /** The ops at {@code indexes}, in that order. */
    static List<Operation> opsAt(List<Operation> ops, List<Integer> indexes) {
        List<Operation> share = new ArrayList<>(indexes.size());
        for (int index : indexes) {
            share.add(ops.get(index));
        }
        return share;
    }
}
