package io.kvpipe.producers.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TransactionKeysTest {

    private static final int PARTITIONS = 8;
    private final SplittableRandom random = new SplittableRandom(42);

    private static Set<Integer> partitionsOf(List<String> keys) {
        Set<Integer> partitions = new HashSet<>();
        for (String key : keys) {
            partitions.add(ConsistentHashPartitioner.partitionFor(key, PARTITIONS));
        }
        return partitions;
    }

    @Test
    void crossPartitionTransactionsHaveEachKeyOnItsOwnPartition() {
        TransactionKeys keys = new TransactionKeys(1_000_000, 4, 1.0);
        for (int i = 0; i < 1000; i++) {
            List<String> picked = keys.pick(random, PARTITIONS);
            assertThat(picked).hasSize(4).doesNotHaveDuplicates().allMatch(k -> k.startsWith("txn-key-"));
            assertThat(partitionsOf(picked)).hasSize(4);
        }
        assertThat(partitionsOf(new TransactionKeys(1000, 8, 1.0).pick(random, PARTITIONS))).hasSize(8);
    }

    @Test
    void onePartitionTransactionsHaveDistinctKeysOfOnePartition() {
        TransactionKeys keys = new TransactionKeys(1000, 4, 0.0);
        for (int i = 0; i < 1000; i++) {
            List<String> picked = keys.pick(random, PARTITIONS);
            assertThat(picked).hasSize(4).doesNotHaveDuplicates();
            assertThat(partitionsOf(picked)).hasSize(1);
        }
    }

    @Test
    void theCrossShareIsTheShareOfTransactionsThatCrossPartitions() {
        TransactionKeys keys = new TransactionKeys(1_000_000, 2, 0.25);
        int cross = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            if (partitionsOf(keys.pick(random, PARTITIONS)).size() > 1) {
                cross++;
            }
        }
        assertThat(cross / (double) n).isBetween(0.23, 0.27);
    }

    @Test
    void coordinatorsSpreadOverAllPartitions() {
        TransactionKeys keys = new TransactionKeys(1_000_000, 2, 1.0);
        int[] firsts = new int[PARTITIONS];
        for (int i = 0; i < 8000; i++) {
            firsts[ConsistentHashPartitioner.partitionFor(keys.pick(random, PARTITIONS).get(0), PARTITIONS)]++;
        }
        assertThat(java.util.Arrays.stream(firsts).boxed().toList()).allMatch(count -> count > 800 && count < 1200);
    }

    @Test
    void impossibleShapesAreRefused() {
        assertThatThrownBy(() -> new TransactionKeys(1_000, 9, 1.0).pick(random, PARTITIONS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("different partitions of 8");
        assertThatThrownBy(() -> new TransactionKeys(3, 4, 0.0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TransactionKeys(100, 2, 1.5)).isInstanceOf(IllegalArgumentException.class);
        // Four keys, three of which would have to share a partition with the first: rarely possible.
        assertThatThrownBy(() -> new TransactionKeys(4, 4, 0.0).pick(new SplittableRandom(1), PARTITIONS))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("use a larger key space");
    }
}
