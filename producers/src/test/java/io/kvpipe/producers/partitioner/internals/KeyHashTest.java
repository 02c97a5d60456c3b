package io.kvpipe.producers.partitioner.internals;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.apache.commons.codec.digest.MurmurHash3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeyHashTest {

    /**
     * Published MurmurHash3_x64_128 digests, seed 0, as the canonical 16 bytes: h1 then h2, each
     * little-endian (the reference C code's output buffer on x86-64; Guava's HashCode.toString(),
     * Python's mmh3.hash_bytes()). Sources: Guava HashingTest ("" and the quick brown fox),
     * the mmh3 README ("foo": hash64 = (-2129773440516405919, 9128664383759220103)); "hello" is the
     * value other ports pin and matches an independent implementation of smhasher's C code.
     */
    @ParameterizedTest(name = "\"{0}\"")
    @CsvSource(delimiter = '|', value = {
        "''                                          | 00000000000000000000000000000000",
        "foo                                         | 6145f501578671e2877dba2be487af7e",
        "hello                                       | 029bbd41b3a7d8cb191dae486a901e5b",
        "The quick brown fox jumps over the lazy dog | 6c1b07bc7bbc4be347939ac4a93c437a",
    })
    void matchesPublishedMurmur3X64_128Digests(String key, String digestHex) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        long[] h = MurmurHash3.hash128x64(bytes, 0, bytes.length, 0);

        ByteBuffer digest = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(h[0]).putLong(h[1]);
        assertThat(HexFormat.of().formatHex(digest.array())).isEqualTo(digestHex);
        assertThat(KeyHash.of(bytes)).isEqualTo(h[0]);
    }

    @Test
    void firstHalfIsMmh3Hash64FirstValue() {
        // mmh3.hash64("foo") == (-2129773440516405919, 9128664383759220103)
        assertThat(KeyHash.of("foo".getBytes(StandardCharsets.UTF_8))).isEqualTo(-2129773440516405919L);
        assertThat(Long.toUnsignedString(KeyHash.of("foo".getBytes(StandardCharsets.UTF_8))))
            .isEqualTo("16316970633193145697");
    }

    /**
     * Bytes >= 0x80 in the tail are where ports that sign-extend bytes go wrong (as commons-codec's
     * deprecated hash32 did, CODEC-267); these values agree with Python's mmh3 5.3.0 and with a
     * Python port of smhasher's MurmurHash3_x64_128.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "d0bad0bbd18ed187,                    f66070f271ab02c3",
        "8081feff7f,                          c248afd78c6f35ed",
        "ffffffffffffffffffffffffffffffffff,  93b3db80aa4d392f",
    })
    void handlesHighBytesLikeTheReference(String keyHex, String h1Hex) {
        byte[] key = HexFormat.of().parseHex(keyHex);
        assertThat(KeyHash.of(key)).isEqualTo(Long.parseUnsignedLong(h1Hex, 16));
    }
}
