package io.kvpipe.app.query;

import io.kvpipe.avro.VersionedValue;

/**
 * What a read of this instance's store gave.
 *
 * @param value the stored value (its {@code value} null once deleted) when {@link Outcome#FOUND}
 * @param active whether the store read was the partition's active store (a primary read)
 * @param lag for a replica read, changelog records the standby is behind (null if unknown)
 * @param detail why, for the other outcomes
 */
public record LocalRead(Outcome outcome, VersionedValue value, boolean active, Long lag, String detail) {

    public enum Outcome {
        /** The key is in the store (possibly as a deleted key with its version). */
        FOUND,
        /** The key is not in the store. */
        ABSENT,
        /** This instance does not hold the store wanted (not here, not active, not running). */
        NOT_HERE,
        /** The store has not reached the requested position within the wait. */
        BEHIND,
        /** The store failed. */
        FAILED
    }

    public static LocalRead found(VersionedValue value, boolean active, Long lag) {
        return value == null ? new LocalRead(Outcome.ABSENT, null, active, lag, null)
                : new LocalRead(Outcome.FOUND, value, active, lag, null);
    }

    public static LocalRead notHere(String why) {
        return new LocalRead(Outcome.NOT_HERE, null, false, null, why);
    }

    public static LocalRead behind(String why) {
        return new LocalRead(Outcome.BEHIND, null, false, null, why);
    }

    public static LocalRead failed(String why) {
        return new LocalRead(Outcome.FAILED, null, false, null, why);
    }
}
