package io.kvpipe.producers.client;

import io.kvpipe.producers.client.internals.Validation;
import java.util.OptionalLong;

/**
 * One operation on one key, for {@link KvClient#submit(java.util.List)}. A request of several ops
 * commits atomically or not at all; it is routed by the first op's key.
 *
 * <p>Ops are immutable values built with the static factories, which check the wire contract's
 * limits ({@link io.kvpipe.schemas.Limits}) at once: a key is 1 to 1024 bytes of UTF-8, a value at
 * most 256 KiB, both valid Unicode; anything else is an {@link IllegalArgumentException}.
 */
public sealed interface Op permits Op.Put, Op.Delete, Op.CompareAndSet, Op.Add, Op.Check {

    /** The key the op reads or writes. */
    String key();

    /** Set {@code key} to {@code value}, whatever it held before. */
    static Put put(String key, String value) {
        return new Put(key, value);
    }

    /** Remove {@code key}; deleting an absent key commits too. */
    static Delete delete(String key) {
        return new Delete(key);
    }

    /**
     * Set {@code key} to {@code newValue} only if its version is {@code expected}; a null
     * {@code newValue} deletes the key when the version matches.
     */
    static CompareAndSet compareAndSet(String key, ExpectedVersion expected, String newValue) {
        return new CompareAndSet(key, expected, newValue);
    }

    /** {@link #compareAndSet(String, ExpectedVersion, String)} with {@link ExpectedVersion#of}. */
    static CompareAndSet compareAndSet(String key, long expectedVersion, String newValue) {
        return new CompareAndSet(key, ExpectedVersion.of(expectedVersion), newValue);
    }

    /** Add {@code delta} to the numeric value of {@code key} (absent counts as 0). */
    static Add add(String key, long delta) {
        return new Add(key, delta, OptionalLong.empty());
    }

    /**
     * Add {@code delta} unless the result would fall below {@code floor}: {@code add(k, -50, 0)} is
     * a guarded debit, rejected with {@link RejectReason#BELOW_FLOOR}.
     */
    static Add add(String key, long delta, long floor) {
        return new Add(key, delta, OptionalLong.of(floor));
    }

    /** A read-only condition (inside a multi-op request): {@code key} must have {@code version}. */
    static Check check(String key, long version) {
        return new Check(key, ExpectedVersion.of(version));
    }

    /** A read-only condition (inside a multi-op request): {@code key} must be as {@code expected}. */
    static Check check(String key, ExpectedVersion expected) {
        return new Check(key, expected);
    }

    /** @see Op#put */
    record Put(String key, String value) implements Op {
        public Put {
            Validation.key(key);
            Validation.value(value);
        }
    }

    /** @see Op#delete */
    record Delete(String key) implements Op {
        public Delete {
            Validation.key(key);
        }
    }

    /** @see Op#compareAndSet(String, ExpectedVersion, String) */
    record CompareAndSet(String key, ExpectedVersion expected, String newValue) implements Op {
        public CompareAndSet {
            Validation.key(key);
            if (expected == null) {
                throw new IllegalArgumentException("a compare-and-set needs an expected version"
                        + " (ExpectedVersion.of(v) or ExpectedVersion.absent())");
            }
            Validation.nullableValue(newValue);
        }
    }

    /** @see Op#add(String, long, long) */
    record Add(String key, long delta, OptionalLong floor) implements Op {
        public Add {
            Validation.key(key);
            if (floor == null) {
                throw new IllegalArgumentException("floor must be an OptionalLong, not null");
            }
        }
    }

    /** @see Op#check(String, ExpectedVersion) */
    record Check(String key, ExpectedVersion expected) implements Op {
        public Check {
            Validation.key(key);
            if (expected == null) {
                throw new IllegalArgumentException("a check needs an expected version"
                        + " (ExpectedVersion.of(v) or ExpectedVersion.absent())");
            }
        }
    }
}
