package io.kvpipe.app.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * A {@link SchemaLog} held in memory, for tests and throwaway registries: it lives as long as this
 * object, so a second registry started on the same instance replays what the first wrote.
 * Thread-safe.
 */
public final class InMemorySchemaLog implements SchemaLog {

    private record Entry(String key, String value) {}

    private final List<Entry> entries = new ArrayList<>();

    /** {@inheritDoc} Never throws. */
    @Override
    public void replay(BiConsumer<String, String> visitor) {
        List<Entry> snapshot;
        synchronized (entries) {
            snapshot = List.copyOf(entries);
        }
        snapshot.forEach(entry -> visitor.accept(entry.key(), entry.value()));
    }

    /**
     * {@inheritDoc} Never throws for a non-null key.
     *
     * @throws NullPointerException if {@code key} is null
     */
    @Override
    public void append(String key, String value) {
        if (key == null) {
            throw new NullPointerException("key");
        }
        synchronized (entries) {
            entries.add(new Entry(key, value));
        }
    }

    /** Keeps the records: closing a registry must not lose what the next one replays. */
    @Override
    public void close() {}
}
