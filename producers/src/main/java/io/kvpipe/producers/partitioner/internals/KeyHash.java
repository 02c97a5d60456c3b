package io.kvpipe.producers.partitioner.internals;

import org.apache.commons.codec.digest.MurmurHash3;

/**
 * The 64-bit hash a key is routed by: the first half (h1) of MurmurHash3_x64_128 with seed 0.
 *
 * <p>MurmurHash3 (Austin Appleby, smhasher) is used because every mainstream language has a
 * bit-exact implementation, so clients outside the JVM can compute the same partition.
 */
public final class KeyHash {

    private static final int SEED = 0;

    private KeyHash() {
    }

    /**
     * Returns h1 of MurmurHash3_x64_128(bytes, seed 0), as a signed Java long holding the unsigned
     * 64-bit value.
     *
     * @param bytes the key bytes, not null
     * @return the first 64-bit word of the 128-bit hash
     */
    public static long of(byte[] bytes) {
        // hash128x64, not the deprecated hash128 (sign-extends negative seeds, CODEC-264; same result
        // for seed 0) nor hash64 (not half of the 128-bit hash, CODEC-268).
        return MurmurHash3.hash128x64(bytes, 0, bytes.length, SEED)[0];
    }
}
