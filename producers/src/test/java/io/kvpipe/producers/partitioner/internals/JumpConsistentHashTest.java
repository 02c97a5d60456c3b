package io.kvpipe.producers.partitioner.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JumpConsistentHashTest {

    /**
     * Vectors shared by the Go (dgryski/go-jump), Python (lithammer/python-jump-consistent-hash)
     * and Elixir ports of the paper's C++ code; keys are unsigned 64-bit, written here as Java's
     * signed long of the same bits.
     */
    @ParameterizedTest(name = "key {0}, {1} buckets -> {2}")
    @CsvSource({
        "1,                    1,          0",
        "42,                   57,         43",
        "3735883980,           1,          0",   // 0xDEAD10CC
        "3735883980,           666,        361",
        "256,                  1024,       520",
        "4,                    2,          1",
        "1,                    128,        55",
        "129,                  128,        120",
        "128,                  100000000,  38172097",
        "-1,                   128,        92",   // 2^64 - 1
        "-42,                  57,         8",    // 2^64 - 42
    })
    void matchesPublishedVectors(long key, int buckets, int expected) {
        assertThat(JumpConsistentHash.bucket(key, buckets)).isEqualTo(expected);
    }

    @Test
    void handlesTheLargestBucketCount() {
        assertThat(JumpConsistentHash.bucket(128, Integer.MAX_VALUE)).isBetween(0, Integer.MAX_VALUE - 1);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void rejectsFewerThanOneBucket(int buckets) {
        assertThatThrownBy(() -> JumpConsistentHash.bucket(42, buckets))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
