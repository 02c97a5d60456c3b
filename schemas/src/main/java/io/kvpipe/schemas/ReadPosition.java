package io.kvpipe.schemas;

/**
 * A read-your-writes token: the requests-topic partition and offset whose processing wrote a key,
 * as a committed outcome reports it ({@code KeyVersion.partition}, {@code KeyVersion.offset}).
 * Passed to {@code GET /kv/{key}?position=<token>}, it makes the read wait until the serving store
 * has applied that offset. Text form: {@code <partition>:<offset>}, e.g. {@code 3:1042}.
 */
public record ReadPosition(int partition, long offset) {

    public ReadPosition {
        if (partition < 0 || offset < 0) {
            throw new IllegalArgumentException("a position has a partition and an offset of at least 0");
        }
    }

    /**
     * @throws IllegalArgumentException if {@code token} is not {@code <partition>:<offset>}
     */
    public static ReadPosition parse(String token) {
        int colon = token == null ? -1 : token.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("a position is <partition>:<offset>, got '" + token + "'");
        }
        try {
            return new ReadPosition(Integer.parseInt(token.substring(0, colon)), Long.parseLong(token.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a position is <partition>:<offset>, got '" + token + "'", e);
        }
    }

    /** The text form, {@code <partition>:<offset>}. */
    public String token() {
        return partition + ":" + offset;
    }

    @Override
    public String toString() {
        return token();
    }
}
