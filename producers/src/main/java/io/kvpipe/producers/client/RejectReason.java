package io.kvpipe.producers.client;

/**
 * Why a request did not commit: the client's mirror of the wire contract's
 * {@code io.kvpipe.avro.RejectReason}. A reason this client does not know (added to the contract
 * later) reads as {@link #OTHER}.
 */
public enum RejectReason {
    /** A compare-and-set or check found another version (or presence) than expected. */
    VERSION_MISMATCH,
    /** An add would have taken the value below its floor. */
    BELOW_FLOOR,
    /** An add met a value that is not a signed 64-bit decimal integer, or overflowed. */
    NOT_A_NUMBER,
    /** The request broke the wire contract (sizes, empty ops...); it was dead-lettered. */
    INVALID_REQUEST,
    /** A transaction met a key locked by another transaction in flight. */
    LOCK_CONFLICT,
    /** A transaction did not collect its votes in time. */
    TIMEOUT,
    /** Any other reason, including ones added after this client was built. */
    OTHER;

    /** The client reason for a wire reason (by name; unknown names are {@link #OTHER}). */
    public static RejectReason of(io.kvpipe.avro.RejectReason wire) {
        if (wire == null) {
            return OTHER;
        }
        try {
            return valueOf(wire.name());
        } catch (IllegalArgumentException e) {
            return OTHER;
        }
    }
}
