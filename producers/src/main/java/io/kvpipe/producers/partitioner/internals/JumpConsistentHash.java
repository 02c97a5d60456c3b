package io.kvpipe.producers.partitioner.internals;

/**
 * Jump Consistent Hash: John Lamping and Eric Veach, "A Fast, Minimal Memory, Consistent Hash
 * Algorithm", Google, 2014 (arXiv:1406.2294).
 *
 * <p>Maps a 64-bit key to one of {@code n} buckets so that going from {@code n} to {@code n + 1}
 * buckets moves only about {@code 1/(n + 1)} of the keys, all of them into the new bucket {@code n}.
 * No ring or table is kept; the cost is O(ln n).
 */
public final class JumpConsistentHash {

    /** The 64-bit linear congruential multiplier from the paper. */
    private static final long LCG_MULTIPLIER = 2862933555777941757L;
    private static final double TWO_POW_31 = 1L << 31;

    private JumpConsistentHash() {
    }

    /**
     * Returns the bucket of {@code key} among {@code numBuckets} buckets, a direct port of the
     * paper's C++ code. {@code key} is read as an unsigned 64-bit value.
     *
     * @param key        the 64-bit key hash
     * @param numBuckets the number of buckets, at least 1
     * @return a bucket in {@code [0, numBuckets)}
     * @throws IllegalArgumentException if {@code numBuckets < 1}
     */
    public static int bucket(long key, int numBuckets) {
        if (numBuckets < 1) {
            throw new IllegalArgumentException("numBuckets must be at least 1, was " + numBuckets);
        }
        long b = -1;
        long j = 0;
        while (j < numBuckets) {
            b = j;
            // Java's long arithmetic wraps like the paper's uint64_t; >>> is the unsigned shift.
            key = key * LCG_MULTIPLIER + 1;
            j = (long) ((b + 1) * (TWO_POW_31 / (double) ((key >>> 33) + 1)));
        }
        return (int) b;
    }
}
