package io.kvpipe.producers.client;

import io.kvpipe.producers.client.internals.Validation;
import java.util.OptionalLong;

/**
 * The condition of a {@link Op#compareAndSet compare-and-set} or a {@link Op#check check}: the key
 * must have a given version ({@link #of}), or must be absent ({@link #absent}).
 */
public final class ExpectedVersion {

    private static final ExpectedVersion ABSENT = new ExpectedVersion(-1);

    private final long version;

    private ExpectedVersion(long version) {
        this.version = version;
    }

    /** The key must not exist (never written, or deleted). */
    public static ExpectedVersion absent() {
        return ABSENT;
    }

    /**
     * The key must have exactly this version.
     *
     * @throws IllegalArgumentException if {@code version} is negative
     */
    public static ExpectedVersion of(long version) {
        return new ExpectedVersion(Validation.version(version));
    }

    /** True when the key must be absent. */
    public boolean isAbsent() {
        return version < 0;
    }

    /** The version the key must have; empty when it must be absent. */
    public OptionalLong version() {
        return isAbsent() ? OptionalLong.empty() : OptionalLong.of(version);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExpectedVersion other && other.version == version;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(version);
    }

    @Override
    public String toString() {
        return isAbsent() ? "absent" : "version " + version;
    }
}
