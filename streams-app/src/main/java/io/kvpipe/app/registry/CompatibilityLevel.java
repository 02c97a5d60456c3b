package io.kvpipe.app.registry;

import java.util.Locale;
import java.util.Optional;

/**
 * Confluent's compatibility levels. Backward: the new schema reads data written with the old;
 * forward: the old reads data written with the new; transitive: against every live version rather
 * than only the latest.
 */
enum CompatibilityLevel {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    /** What a registry with no configured level enforces, as Confluent's does. */
    static final CompatibilityLevel DEFAULT = BACKWARD;

    final boolean backward;
    final boolean forward;
    final boolean transitive;

    CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
        this.backward = backward;
        this.forward = forward;
        this.transitive = transitive;
    }

    /** The level called {@code name}, in any letter case; empty if there is none. */
    static Optional<CompatibilityLevel> named(String name) {
        if (name == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(name.strip().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
