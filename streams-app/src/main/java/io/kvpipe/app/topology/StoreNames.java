package io.kvpipe.app.topology;

/** The state stores of the topology; queries and heartbeats find them by these names. */
public final class StoreNames {

    /** Committed state: {@code KeyValueStore<String, VersionedValue>}; a deleted key keeps its version with a null value. */
    public static final String KV = "kv";

    /** Outcomes by request id, so a retried request returns its first outcome: {@code KeyValueStore<String, Outcome>}. */
    public static final String DEDUP = "dedup";

    private StoreNames() {}
}
