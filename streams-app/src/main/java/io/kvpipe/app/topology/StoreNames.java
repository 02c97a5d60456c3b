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
     * Prepared keys of undecided cross-partition transactions: {@code KeyValueStore<String, Lock>}
     * by data key, holding the staged write until the decision. Empty when nothing is in flight.
     */
    public static final String LOCKS = "locks";

    /**
     * Transactions this partition coordinates and has not decided yet:
     * {@code KeyValueStore<String, TransactionState>} by transaction id (the request id), phase
     * {@code PREPARING}, with the votes so far. A decided transaction leaves it in the step that
     * remembers its outcome in {@link #DEDUP}.
     */
    public static final String TXNS = "txns";

    /**
     * Decisions that reached this partition before the prepare (or copy of the request) of their
     * transaction, by transaction id, so that the late prepare locks nothing:
     * {@code WindowStore<String, byte[]>} (one byte: 1 commit, 0 abort), kept for the longest
     * transaction timeout and a margin.
     */
    public static final String DECISIONS = "txn-decisions";

    /**
     * Cross-partition transactions this partition coordinates that it aborted on their votes alone
     * (the request did not reach it by the deadline, or was forgotten in a failover), by
     * transaction id: {@code WindowStore<String, byte[]>} kept for the dedup retention, so that a
     * fresh request is looked for in {@link #DEDUP} only when it is one of them (see
     * {@code UnbegunAborts}).
     */
    public static final String UNBEGUN = "txn-unbegun-aborts";

    private StoreNames() {}
}
