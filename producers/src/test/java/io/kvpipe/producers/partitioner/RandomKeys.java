package io.kvpipe.producers.partitioner;

import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.LongStream;

/**
 * Random keys from seeded generators. Each randomized test takes a seed in its display name, so
 * a failure names the seed that reproduces it; {@code -Dkvpipe.test.seed=<long>} fixes the run.
 */
final class RandomKeys {

    private RandomKeys() {
    }

    /** {@code count} seeds: fresh on every run unless {@code kvpipe.test.seed} is set. */
    static LongStream seeds(int count) {
        Long fixed = Long.getLong("kvpipe.test.seed");
        long base = fixed != null ? fixed : ThreadLocalRandom.current().nextLong();
        return new SplittableRandom(base).longs(count);
    }

    static String uuid(SplittableRandom random) {
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }

    static String[] uuids(SplittableRandom random, int count) {
        String[] keys = new String[count];
        for (int i = 0; i < count; i++) {
            keys[i] = uuid(random);
        }
        return keys;
    }

    /** Up to 40 code points: mostly ASCII, some of the BMP, some supplementary (4 UTF-8 bytes). */
    static String string(SplittableRandom random) {
        int length = random.nextInt(41);
        StringBuilder key = new StringBuilder(length * 2);
        for (int i = 0; i < length; i++) {
            int kind = random.nextInt(10);
            int codePoint;
            if (kind < 7) {
                codePoint = random.nextInt(0x20, 0x7F);
            } else if (kind < 9) {
                codePoint = random.nextInt(0xA0, 0xD800); // below the surrogates
            } else {
                codePoint = random.nextInt(0x10000, 0x110000);
            }
            key.appendCodePoint(codePoint);
        }
        return key.toString();
    }

    static byte[] bytes(SplittableRandom random, int maxLength) {
        byte[] key = new byte[random.nextInt(maxLength + 1)];
        random.nextBytes(key);
        return key;
    }

    /** Partition counts skewed to small topics but reaching the int range. */
    static int partitionCount(SplittableRandom random) {
        return switch (random.nextInt(3)) {
            case 0 -> random.nextInt(1, 17);
            case 1 -> random.nextInt(1, 1025);
            default -> random.nextInt(1, Integer.MAX_VALUE);
        };
    }
}
