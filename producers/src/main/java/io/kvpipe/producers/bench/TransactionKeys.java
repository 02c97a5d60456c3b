package io.kvpipe.producers.bench;

import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Picks the keys of one bench transaction from {@code txn-key-0 .. txn-key-(keySpace-1)}: with
 * probability {@code crossShare} {@code size} keys on {@code size} different partitions (a
 * two-phase commit), otherwise {@code size} keys of one partition (one step). The first key, which
 * routes the transaction to its coordinator, is uniform over the key space, so coordinators spread
 * over all partitions.
 *
 * <p>Keys are drawn at random until one lands where it is needed, rather than from per-partition
 * lists: that takes a few draws (about the partition count) and no memory for a large key space.
 */
public record TransactionKeys(int keySpace, int size, double crossShare) {

    public TransactionKeys {
        if (size < 1 || keySpace < size) {
            throw new IllegalArgumentException("a transaction of " + size + " keys needs at least 1 key and a key"
                    + " space at least as large, got " + keySpace);
        }
        if (!(crossShare >= 0 && crossShare <= 1)) {
            throw new IllegalArgumentException("the cross-partition share is 0 to 1, got " + crossShare);
        }
    }

    /**
     * The keys of one transaction, distinct, the first uniform.
     *
     * @param partitions how many partitions the requests topic has
     * @throws IllegalArgumentException if a cross-partition transaction has more keys than there
     *     are partitions
     */
    public List<String> pick(SplittableRandom random, int partitions) {
        boolean cross = size > 1 && random.nextDouble() < crossShare;
        if (cross && size > partitions) {
            throw new IllegalArgumentException(size + " keys cannot lie in different partitions of " + partitions);
        }
        List<String> keys = new ArrayList<>(size);
        Set<Integer> usedPartitions = new HashSet<>();
        String first = key(random);
        int home = ConsistentHashPartitioner.partitionFor(first, partitions);
        keys.add(first);
        usedPartitions.add(home);
        // Far beyond what a key space that holds such a transaction needs (about the partition count
        // per key), but bounded: a tiny key space may have too few keys in a partition.
        for (int draws = 0; keys.size() < size; draws++) {
            if (draws > 1000 * partitions * size) {
                throw new IllegalStateException("found no " + size + " keys " + (cross ? "on different partitions"
                        : "in partition " + home) + " among " + keySpace + " keys; use a larger key space");
            }
            String candidate = key(random);
            int partition = ConsistentHashPartitioner.partitionFor(candidate, partitions);
            boolean fits = cross ? usedPartitions.add(partition) : partition == home && !keys.contains(candidate);
            if (fits) {
                keys.add(candidate);
            }
        }
        return keys;
    }

    private String key(SplittableRandom random) {
        return "txn-key-" + random.nextInt(keySpace);
    }
}
