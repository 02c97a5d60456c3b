package io.kvpipe.app.topology;

/** The state stores of the topology; queries and heartbeats find them by these names. */
public final class StoreNames {

    /** Committed state: {@code KeyValueStore<String, VersionedValue>}; a deleted key keeps its version with a null value. */
    public static final String KV = "kv";

    /**
     * Outcomes by request id, so a retried request returns its first outcome, for the dedup retention:
     * {@code WindowStore<String, Outcome>} whose window start is the outcome time (see {@code DedupLog}).
     * (The name differs from the key-value store {@code dedup} of earlier versions, whose changelog has
     * another key format.)
     */
    public static final String DEDUP = "dedup-window";

    /**
     * Undecided transactions this partition coordinates: {@code KeyValueStore<String, TransactionState>}
     * (value serde {@code AvroSerde.forValues(TransactionState.class, registry)}) keyed by transaction
     * id (the request id), phase PREPARING with its participants and the votes so far. Once decided,
     * the entry is removed and the outcome is in {@link #DEDUP}.
     */
    public static final String TXNS = "txns";

    private StoreNames() {}
}
