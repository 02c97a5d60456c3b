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

    private record Key(int partition, String transactionId) {}

    /** Snapshots of the held states: the stream thread never changes one after holding it. */
    private final ConcurrentMap<Key, TransactionState> held = new ConcurrentHashMap<>();

    /** The state of transaction {@code transactionId} if partition {@code partition}'s coordinator holds it here. */
    public Optional<TransactionState> find(int partition, String transactionId) {
        return Optional.ofNullable(held.get(new Key(partition, transactionId)));
    }

    void hold(int partition, TransactionState snapshot) {
        held.put(new Key(partition, snapshot.getTransactionId()), snapshot);
    }

    void release(int partition, String transactionId) {
        held.remove(new Key(partition, transactionId));
    }

    /** Drops every entry of {@code partition}: its task starts again from its stores, or left. */
    void releasePartition(int partition) {
        held.keySet().removeIf(key -> key.partition() == partition);
    }
}
