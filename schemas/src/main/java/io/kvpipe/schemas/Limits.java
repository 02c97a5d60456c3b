package io.kvpipe.schemas;

/**
 * Documented size limits of the wire contract. A request beyond them is rejected with
 * {@code INVALID_REQUEST} and dead-lettered with its reason, never applied.
 */
public final class Limits {

    /** A key is 1 to this many bytes of UTF-8. */
    public static final int MAX_KEY_BYTES = 1024;

    /** A value is at most this many bytes of UTF-8 (Kafka's default record limit is 1 MiB). */
    public static final int MAX_VALUE_BYTES = 256 * 1024;

    /**
     * A request id is 1 to this many bytes of UTF-8: it keys the outcome record and the dedup entry,
     * so an unbounded one could make them too large to write.
     */
    public static final int MAX_REQUEST_ID_BYTES = 1024;

    /** A request (a transaction) holds at most this many operations. */
    public static final int MAX_OPS = 64;

    /**
     * A {@code RequestBatch} holds 1 to this many requests. A batch beyond it is dead-lettered as a
     * whole and each of its requests is rejected with {@code INVALID_REQUEST}.
     */
    public static final int MAX_BATCH_REQUESTS = 4096;

    private Limits() {}
}
