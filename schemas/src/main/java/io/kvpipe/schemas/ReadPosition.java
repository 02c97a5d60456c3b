package io.kvpipe.schemas;

/**
 * A read-your-writes token, passed to {@code GET /kv/{key}?position=<token>}: the read waits until
 * the serving store has caught up with a committed write. Two forms:
 * <ul>
 *   <li>by offset, {@code <partition>:<offset>} (e.g. {@code 3:1042}): the requests-topic partition
 *       and offset whose processing wrote the key ({@code KeyVersion.partition}, {@code
 *       KeyVersion.offset}); the store must have applied that offset (whatever key the read is for).
 *   <li>by version, {@code <partition>:v<version>} (e.g. {@code 3:v7}): the store must hold the key
 *       read at a version of at least this (an absent key counts as version 0). For a commit whose
 *       {@code KeyVersion.offset} is -1: nothing was written at a known offset (a check, a delete
 *       of an absent key, or a write applied by a cross-partition transaction at an offset not known
 *       when the outcome was sent), so there is no applied offset to wait for, but the key's version
 *       is known. The token only means something for the key it came from.
 * </ul>
 *
 * @param offset the requests-topic offset, or {@link #NONE} in the version form
 * @param version the key's version, or {@link #NONE} in the offset form
 */
public record ReadPosition(int partition, long offset, long version) {

    /** The missing half of a position: the offset of a version position and vice versa. */
    public static final long NONE = -1;

    private static final String FORMS = "a position is <partition>:<offset> or <partition>:v<version>";

    public ReadPosition {
        if (partition < 0) {
            throw new IllegalArgumentException("a position's partition is at least 0, got " + partition);
        }
        if ((offset == NONE) == (version == NONE) || offset < NONE || version < NONE) {
            throw new IllegalArgumentException(
                    "a position has either an offset or a version of at least 0, got offset " + offset
                            + " and version " + version);
        }
    }

    /** The offset form: wait until the store has applied {@code offset} of requests partition {@code partition}. */
    public ReadPosition(int partition, long offset) {
        this(partition, offset, NONE);
    }

    /** The version form: wait until the store holds the key at {@code version} or later. */
    public static ReadPosition atVersion(int partition, long version) {
        return new ReadPosition(partition, NONE, version);
    }

    /** Whether this is the version form (else the offset form). */
    public boolean byVersion() {
        return version != NONE;
    }

    /**
     * @throws IllegalArgumentException if {@code token} is not {@code <partition>:<offset>} or
     *     {@code <partition>:v<version>}
     */
    public static ReadPosition parse(String token) {
        int colon = token == null ? -1 : token.indexOf(':');
        if (colon <= 0 || colon == token.length() - 1) {
            throw new IllegalArgumentException(FORMS + ", got '" + token + "'");
        }
        String after = token.substring(colon + 1);
        try {
            int partition = Integer.parseInt(token.substring(0, colon));
            return after.charAt(0) == 'v'
                    ? atVersion(partition, Long.parseLong(after.substring(1)))
                    : new ReadPosition(partition, Long.parseLong(after));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(FORMS + ", got '" + token + "'", e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(FORMS + ", got '" + token + "': " + e.getMessage(), e);
        }
    }

    /** The text form, {@code <partition>:<offset>} or {@code <partition>:v<version>}. */
    public String token() {
        return byVersion() ? partition + ":v" + version : partition + ":" + offset;
    }

    @Override
    public String toString() {
        return token();
    }
}
