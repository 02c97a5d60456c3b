package io.kvpipe.benchmarks;

import java.util.SplittableRandom;
import java.util.UUID;

/** Reproducible random UUID-string keys, the same on every run. */
final class RandomKeys {

    /** Keys the lookup benchmark cycles through; a power of two so the index is a mask. */
    static final int LOOKUP_KEYS = 1 << 16;
    private static final long SEED = 20140605L;

    private RandomKeys() {
    }

    static String[] uuids(int count) {
        SplittableRandom random = new SplittableRandom(SEED);
        String[] keys = new String[count];
        for (int i = 0; i < count; i++) {
            keys[i] = new UUID(random.nextLong(), random.nextLong()).toString();
        }
        return keys;
    }
}
