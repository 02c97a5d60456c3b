package io.kvpipe.app.registry;

import java.util.function.BiConsumer;

/**
 * The durable, ordered log the registry keeps its state in: every change is appended (and stored)
 * before the registry applies it, and a starting registry rebuilds its state by replaying the log.
 *
 * <p>Records are key/value pairs of JSON text in Confluent's {@code _schemas} format; a null value
 * is a tombstone (the key's earlier value is gone). Later records win over earlier ones with the
 * same key, so a compacted log replays to the same state.
 *
 * <p>One registry writes a log at a time: nothing here arbitrates between two writers.
 */
public interface SchemaLog extends AutoCloseable {

    /**
     * Hands every stored record, oldest first, to {@code visitor}, and returns once the log's end
     * (as of the call) is reached.
     *
     * @throws IllegalStateException if the log cannot be read to its end
     */
    void replay(BiConsumer<String, String> visitor);

    /**
     * Stores a record durably, returning once it is stored.
     *
     * @param key JSON key, never null
     * @param value JSON value, or null for a tombstone
     * @throws IllegalStateException if the record could not be stored; it may or may not have
     *     been, so the caller must not assume either
     */
    void append(String key, String value);

    /** Releases the log's resources. */
    @Override
    void close();
}
