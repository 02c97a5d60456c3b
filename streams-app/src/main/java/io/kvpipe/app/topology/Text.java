package io.kvpipe.app.topology;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** UTF-8 sizes and strict decoding, and keys quoted for human details. */
final class Text {

    private static final int QUOTED_KEY_CHARS = 64;

    private Text() {}

    /**
     * The number of bytes {@code s.getBytes(UTF_8)} would have, without allocating them (an unpaired
     * surrogate counts 1, as Java encodes it as {@code ?}, the same bytes the partitioner hashes).
     */
    static long utf8Length(CharSequence s) {
        long bytes = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes += 1;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /**
     * Decodes {@code bytes} as UTF-8, refusing malformed input instead of replacing it.
     *
     * @throws CharacterCodingException if the bytes are not valid UTF-8
     */
    static String decodeUtf8Strictly(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
    }

    /** A key in quotes for a detail message, shortened when long. */
    static String quote(String key) {
        if (key == null) {
            return "null";
        }
        if (key.length() <= QUOTED_KEY_CHARS) {
            return "'" + key + "'";
        }
        return "'" + key.substring(0, QUOTED_KEY_CHARS) + "...' (" + key.length() + " chars)";
    }
}
