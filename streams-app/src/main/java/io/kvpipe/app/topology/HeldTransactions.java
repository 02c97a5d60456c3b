package io.kvpipe.app.topology;

import io.kvpipe.avro.TransactionState;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The transactions this instance's coordinators hold in memory only (begun, no participant's vote
 * counted yet; see {@link Coordinator}), so that {@code GET /txn/{id}} finds them as it finds those
 * in the txns store. Shared by the stream threads, which write it, and the query server, which
 * reads it. A task that starts or closes drops its partition's entries; the query counts an entry
 * only for a partition active here, so one left by a task closed without notice is never served.
 */
public final class HeldTransactions {

    /** A held transaction: a snapshot of its coordinator's state when it was held. */
    public record Held(int partition, TransactionState state) {}

    private final ConcurrentMap<String, Held> byId = new ConcurrentHashMap<>();

    /** The held transaction {@code transactionId}, if a coordinator here holds it. */
    public Optional<Held> find(String transactionId) {
        return Optional.ofNullable(byId.get(transactionId));
    }

    void hold(int partition, TransactionState snapshot) {
        byId.put(snapshot.getTransactionId(), new Held(partition, snapshot));
    }

    void release(String transactionId) {
        byId.remove(transactionId);
    }

    /** Drops every entry of {@code partition}: its task starts again from its stores, or left. */
    void releasePartition(int partition) {
        byId.values().removeIf(held -> held.partition() == partition);
    }
}
