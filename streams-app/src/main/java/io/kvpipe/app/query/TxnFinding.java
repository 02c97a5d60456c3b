package io.kvpipe.app.query;

import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.TransactionState;

/** What one partition's stores know of a transaction id. */
public sealed interface TxnFinding {

    /** The partition whose stores hold it: the transaction's coordinator. */
    int partition();

    /** Held by its coordinator, not decided yet (in the {@code txns} store). */
    record Undecided(int partition, TransactionState state) implements TxnFinding {}

    /** Decided: its outcome, as the results topic got it (in the {@code dedup} store). */
    record Decided(int partition, Outcome outcome) implements TxnFinding {}
}
