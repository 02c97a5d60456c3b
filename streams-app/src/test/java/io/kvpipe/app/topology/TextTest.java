package io.kvpipe.app.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Size limits count the same UTF-8 bytes the partitioner hashes. */
class TextTest {

    @Test
    void utf8LengthIsTheLengthOfTheEncodedBytes() {
        String[] samples = {"", "a", "é", "ключ", "🔑", "a🔑b", "\uD83D", "\uDD11x", "x\uD83D", "\uDD11\uD83D"};
        for (String sample : samples) {
            assertThat(Text.utf8Length(sample)).as(sample).isEqualTo(sample.getBytes(StandardCharsets.UTF_8).length);
        }
    }

    @Test
    void utf8LengthAgreesWithTheEncoderOnRandomText() {
        Random random = new Random(20260101L);
        char[] pool = {'a', 'Z', '0', 'é', 'ß', '€', '中', '\uD83D', '\uDD11', '\uDBFF', '\uDFFF', '\u0000', '\uFFFF'};
        for (int round = 0; round < 2_000; round++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(12);
            for (int i = 0; i < length; i++) {
                text.append(pool[random.nextInt(pool.length)]);
            }
            String sample = text.toString();
            assertThat(Text.utf8Length(sample)).as("%s", sample.chars().boxed().toList())
                    .isEqualTo(sample.getBytes(StandardCharsets.UTF_8).length);
        }
    }

    @Test
    void strictDecodingRefusesWhatLenientDecodingWouldReplace() throws CharacterCodingException {
        assertThat(Text.decodeUtf8Strictly("ключ".getBytes(StandardCharsets.UTF_8))).isEqualTo("ключ");
        assertThatThrownBy(() -> Text.decodeUtf8Strictly(new byte[] {(byte) 0xC3, (byte) 0x28}))
                .isInstanceOf(CharacterCodingException.class);
        assertThatThrownBy(() -> Text.decodeUtf8Strictly(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}))
                .as("an encoded surrogate").isInstanceOf(CharacterCodingException.class);
    }
}
