package io.kvpipe.producers.partitioner;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.producers.partitioner.internals.KeyHash;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the routing function: any change to the hash, the seed, the byte order, the key encoding
 * or the jump algorithm fails here. The same table is in PARTITIONER-README.md so clients in other
 * languages can check themselves; it was cross-checked with Python's mmh3 5.3.0
 * ({@code mmh3.hash64(key, seed=0, signed=False)[0]}) and a Python port of the paper's jump hash.
 */
class KnownAnswersTest {

    /** Partition counts of the columns of {@link KnownAnswer#partitions}. */
    private static final int[] PARTITION_COUNTS = {8, 64, 65, 100, 1000};

    /**
     * @param label      how the key reads in the README
     * @param key        the key bytes
     * @param text       the key as a string, or null for a binary key
     * @param h1         MurmurHash3_x64_128 h1, seed 0, as unsigned hex
     * @param partitions the partition for each of {@link #PARTITION_COUNTS}
     */
    record KnownAnswer(String label, byte[] key, String text, String h1, int... partitions) {

        static KnownAnswer text(String text, String h1, int... partitions) {
            return new KnownAnswer('"' + text + '"', text.getBytes(StandardCharsets.UTF_8), text, h1, partitions);
        }

        static KnownAnswer binary(String hex, String h1, int... partitions) {
            return new KnownAnswer("0x" + hex, HexFormat.of().parseHex(hex), null, h1, partitions);
        }

        @Override
        public String toString() {
            return label;
        }
    }

    static Stream<KnownAnswer> table() {
        return Stream.of(
            KnownAnswer.text("", "0000000000000000", 0, 0, 0, 0, 0),
            KnownAnswer.text("a", "85555565f6597889", 5, 15, 15, 15, 927),
            KnownAnswer.text("foo", "e271865701f54561", 3, 9, 9, 74, 872),
            KnownAnswer.text("hello", "cbd8a7b341bd9b02", 4, 29, 29, 65, 313),
            KnownAnswer.text("user:42", "cd01081bf0aa3a68", 2, 14, 14, 14, 587),
            KnownAnswer.text("The quick brown fox jumps over the lazy dog", "e34bbc7bbc071b6c", 4, 23, 23, 23, 191),
            KnownAnswer.text("0123456789abcdef0123", "8047058142d9440a", 5, 55, 55, 55, 831),
            KnownAnswer.text("\u043A\u043B\u044E\u0447", "f66070f271ab02c3", 6, 6, 6, 6, 660), // "ключ"
            KnownAnswer.text("\uD83D\uDD11", "a1211993642dafb8", 4, 46, 46, 86, 993), // U+1F511 key emoji
            KnownAnswer.binary("000102030405060708090a0b0c0d0e0f", "444924b591903f30", 3, 39, 39, 39, 943),
            KnownAnswer.binary("ffffffffffffffffffffffffffffffffff", "93b3db80aa4d392f", 6, 18, 18, 18, 737));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void hashIsPinned(KnownAnswer answer) {
        assertThat(KeyHash.of(answer.key())).isEqualTo(Long.parseUnsignedLong(answer.h1(), 16));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void partitionsArePinned(KnownAnswer answer) {
        for (int i = 0; i < PARTITION_COUNTS.length; i++) {
            int numPartitions = PARTITION_COUNTS[i];
            assertThat(ConsistentHashPartitioner.partitionFor(answer.key(), numPartitions))
                .as("%s over %d partitions", answer, numPartitions)
                .isEqualTo(answer.partitions()[i]);
            if (answer.text() != null) {
                assertThat(ConsistentHashPartitioner.partitionFor(answer.text(), numPartitions))
                    .as("%s as a String over %d partitions", answer, numPartitions)
                    .isEqualTo(answer.partitions()[i]);
            }
        }
    }
}
