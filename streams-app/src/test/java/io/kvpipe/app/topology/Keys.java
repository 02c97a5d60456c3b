package io.kvpipe.app.topology;

import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import java.util.ArrayList;
import java.util.List;

/**
 * Keys by the partition they belong to. The test driver feeds every record to partition 0, and
 * the topology is told the requests topic has {@link #PARTITIONS} partitions, so keys owned by
 * partition 0 are "here" and the others belong elsewhere.
 */
final class Keys {

    static final int PARTITIONS = 8;
    static final int HERE = 0;

    private Keys() {}

    /** The first {@code count} keys {@code <prefix><n>} that belong to {@code partition}. */
    static List<String> on(int partition, String prefix, int count) {
        List<String> keys = new ArrayList<>(count);
        for (int n = 0; keys.size() < count; n++) {
            String key = prefix + n;
            if (ConsistentHashPartitioner.partitionFor(key, PARTITIONS) == partition) {
                keys.add(key);
            }
        }
        return keys;
    }

    /** A key of this partition. */
    static String here(String prefix) {
        return on(HERE, prefix, 1).get(0);
    }

    /** A key of another partition. */
    static String elsewhere(String prefix) {
        return on(HERE + 3, prefix, 1).get(0);
    }

    /** Pads {@code prefix} with 'x' to exactly {@code bytes} ASCII bytes, and varies the tail until it is here. */
    static String hereOfLength(int bytes) {
        for (int n = 0; ; n++) {
            String tail = Integer.toString(n);
            String key = "x".repeat(bytes - tail.length()) + tail;
            if (ConsistentHashPartitioner.partitionFor(key, PARTITIONS) == HERE) {
                return key;
            }
        }
    }
}
