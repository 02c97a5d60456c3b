package io.kvpipe.producers.client.internals;

import io.kvpipe.producers.client.Op;
import io.kvpipe.schemas.Limits;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Local checks of what the wire contract ({@link Limits}) allows, so that a request the pipeline
 * would reject as {@code INVALID_REQUEST} fails at the caller with an
 * {@link IllegalArgumentException} instead of a round trip.
 */
public final class Validation {

    private Validation() {}

    /**
     * @throws IllegalArgumentException if {@code key} is null, empty, longer than
     *     {@link Limits#MAX_KEY_BYTES} in UTF-8, or not valid Unicode
     */
    public static String key(String key) {
        if (key == null) {
            throw new IllegalArgumentException("a key must not be null");
        }
        int bytes = utf8Length(key, "key");
        if (bytes == 0) {
            throw new IllegalArgumentException("a key must not be empty");
        }
        if (bytes > Limits.MAX_KEY_BYTES) {
            throw new IllegalArgumentException("a key is at most " + Limits.MAX_KEY_BYTES
                    + " bytes of UTF-8, got " + bytes + " bytes");
        }
        return key;
    }

    /**
     * @throws IllegalArgumentException if {@code value} is null, longer than
     *     {@link Limits#MAX_VALUE_BYTES} in UTF-8, or not valid Unicode
     */
    public static String value(String value) {
        if (value == null) {
            throw new IllegalArgumentException("a value must not be null (use delete to remove a key)");
        }
        return nullableValue(value);
    }

    /** As {@link #value}, but null is allowed (a compare-and-set that deletes). */
    public static String nullableValue(String value) {
        if (value == null) {
            return null;
        }
        int bytes = utf8Length(value, "value");
        if (bytes > Limits.MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("a value is at most " + Limits.MAX_VALUE_BYTES
                    + " bytes of UTF-8, got " + bytes + " bytes");
        }
        return value;
    }

    /**
     * A request id given by the application (for a retry): 1 to {@link Limits#MAX_REQUEST_ID_BYTES} bytes
     * of valid UTF-8, as it is the record key of the outcome.
     *
     * @throws IllegalArgumentException otherwise
     */
    public static String requestId(String requestId) {
        if (requestId == null || requestId.isBlank()) {
            throw new IllegalArgumentException("a request id must not be null or blank");
        }
        int bytes = utf8Length(requestId, "request id");
        if (bytes > Limits.MAX_REQUEST_ID_BYTES) {
            throw new IllegalArgumentException("a request id is at most " + Limits.MAX_REQUEST_ID_BYTES
                    + " bytes of UTF-8, got " + bytes + " bytes");
        }
        return requestId;
    }

    /** @throws IllegalArgumentException unless {@code count} is 1 to {@link Limits#MAX_OPS} */
    public static void opCount(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("a request needs at least one operation");
        }
        if (count > Limits.MAX_OPS) {
            throw new IllegalArgumentException("a request holds at most " + Limits.MAX_OPS
                    + " operations, got " + count);
        }
    }

    /**
     * The ops of one request: 1 to {@link Limits#MAX_OPS}, none null, each key at most once (the
     * pipeline dead-letters a request that names a key twice: which op would win is not defined).
     *
     * @throws IllegalArgumentException otherwise
     */
    public static void ops(List<? extends Op> ops) {
        if (ops == null) {
            throw new IllegalArgumentException("ops must not be null");
        }
        opCount(ops.size());
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            if (op == null) {
                throw new IllegalArgumentException("an operation must not be null (op " + i + ")");
            }
            if (!keys.add(op.key())) {
                throw new IllegalArgumentException("a request names each key at most once; op " + i
                        + " names '" + op.key() + "' again");
            }
        }
    }

    /**
     * A transaction's timeout: 1 ms to {@code max}, in whole milliseconds.
     *
     * @return it in milliseconds
     * @throws IllegalArgumentException otherwise
     */
    public static int transactionTimeout(Duration timeout, Duration max) {
        if (timeout == null) {
            throw new IllegalArgumentException("a transaction timeout must not be null");
        }
        if (timeout.compareTo(Duration.ofMillis(1)) < 0 || timeout.compareTo(max) > 0) {
            throw new IllegalArgumentException("a transaction timeout is 1 ms to " + max.toMillis() + " ms, got "
                    + (timeout.isNegative() ? timeout.toString() : timeout.toMillis() + " ms"));
        }
        return (int) timeout.toMillis();
    }

    /** @throws IllegalArgumentException if {@code version} is negative */
    public static long version(long version) {
        if (version < 0) {
            throw new IllegalArgumentException("a version is at least 0, got " + version);
        }
        return version;
    }

    /**
     * The UTF-8 length of {@code s}, in one pass and without encoding it.
     *
     * @throws IllegalArgumentException on an unpaired surrogate: Java would encode it as {@code ?},
     *     so two different strings would become the same key (or the value would change)
     */
    static int utf8Length(String s, String what) {
        int bytes = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    bytes += 4;
                    i++;
                } else {
                    throw unpaired(what, i);
                }
            } else if (Character.isLowSurrogate(c)) {
                throw unpaired(what, i);
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static IllegalArgumentException unpaired(String what, int index) {
        return new IllegalArgumentException("a " + what + " must be valid Unicode: unpaired surrogate at index "
                + index);
    }
}
