package io.kvpipe.app.query;

import io.kvpipe.app.topology.HeldTransactions;
import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.TransactionState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.UnknownStateStoreException;
import org.apache.kafka.streams.query.FailureReason;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.WindowKeyQuery;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * {@link LocalTxns} over Kafka Streams' interactive queries (IQv2), on every partition active here
 * ({@code requireActive()}, no partition named: standby partitions answer NOT_ACTIVE and are
 * skipped, since a standby may be behind and the active instance is asked instead):
 * <ul>
 *   <li>the dedup window store, {@code WindowKeyQuery} on the id over the dedup retention: the
 *       newest outcome bytes, decoded as the results topic's {@code Outcome};
 *   <li>the txns key-value store, {@code KeyQuery} on the id: the undecided {@code TransactionState}.
 *       A topology without that store (no cross-partition transactions) just has nothing there.
 *   <li>{@link HeldTransactions}: an undecided transaction its coordinator holds in memory only,
 *       counted for a partition the store query found active here.
 * </ul>
 * A decision wins over an undecided state, the newest decision over older ones.
 */
public final class StreamsLocalTxns implements LocalTxns {

    private final KafkaStreams streams;
    private final String txnsStore;
    private final String dedupStore;
    private final Duration dedupRetention;
    private final String resultsTopic;
    private final Deserializer<Outcome> outcomes;
    private final LongSupplier clock;
    private final HeldTransactions held;

    /**
     * @param outcomes decodes the dedup store's values (the results topic's Confluent wire format)
     * @param held     the transactions this instance's coordinators hold in memory only
     */
    public StreamsLocalTxns(KafkaStreams streams, String txnsStore, String dedupStore, Duration dedupRetention,
            String resultsTopic, Deserializer<Outcome> outcomes, HeldTransactions held) {
        this.streams = streams;
        this.txnsStore = txnsStore;
        this.dedupStore = dedupStore;
        this.dedupRetention = dedupRetention;
        this.resultsTopic = resultsTopic;
        this.outcomes = outcomes;
        this.clock = System::currentTimeMillis;
        this.held = held;
    }

    @Override
    public Search search(String transactionId) {
        Set<Integer> searched = new TreeSet<>();
        List<String> problems = new ArrayList<>();
        // Undecided first: a coordinator remembers its decision before it drops the undecided state
        // (in one step, and these stores show writes at once), so a transaction decided between
        // the two searches is still found by one of them.
        TxnFinding.Undecided undecided = undecided(transactionId, problems);
        TxnFinding.Decided decided = decided(transactionId, searched, problems);
        if (decided != null) {
            return new Search(Optional.of(decided), searched, problems);
        }
        return new Search(Optional.ofNullable(undecided), searched, problems);
    }

    private TxnFinding.Decided decided(String transactionId, Set<Integer> searched, List<String> problems) {
        long from = Math.max(0L, clock.getAsLong() - dedupRetention.toMillis());
        StateQueryRequest<WindowStoreIterator<byte[]>> request = StateQueryRequest.inStore(dedupStore)
                .withQuery(WindowKeyQuery.<String, byte[]>withKeyAndWindowStartRange(transactionId,
                        Instant.ofEpochMilli(from), Instant.ofEpochMilli(Long.MAX_VALUE)))
                .requireActive();
        Map<Integer, QueryResult<WindowStoreIterator<byte[]>>> results;
        try {
            results = streams.query(request).getPartitionResults();
        } catch (InvalidStateStoreException e) {
            problems.add("the " + dedupStore + " store cannot be queried here: " + e.getMessage());
            return null;
        }
        TxnFinding.Decided newest = null;
        for (Map.Entry<Integer, QueryResult<WindowStoreIterator<byte[]>>> entry : results.entrySet()) {
            int partition = entry.getKey();
            QueryResult<WindowStoreIterator<byte[]>> result = entry.getValue();
            if (result.isFailure()) {
                if (result.getFailureReason() != FailureReason.NOT_ACTIVE) {
                    problems.add("partition " + partition + ": " + result.getFailureReason() + ": "
                            + result.getFailureMessage());
                }
                continue;
            }
            searched.add(partition);
            byte[] last = null;
            try (WindowStoreIterator<byte[]> oldestFirst = result.getResult()) {
                while (oldestFirst.hasNext()) {
                    last = oldestFirst.next().value;
                }
            }
            if (last == null) {
                continue;
            }
            Outcome outcome;
            try {
                outcome = outcomes.deserialize(resultsTopic, last);
            } catch (RuntimeException e) {
                problems.add("partition " + partition + ": the outcome of " + transactionId + " cannot be decoded: "
                        + e.getMessage());
                continue;
            }
            if (newest == null || outcome.getTimestampMs() > newest.outcome().getTimestampMs()) {
                newest = new TxnFinding.Decided(partition, outcome);
            }
        }
        return newest;
    }

    private TxnFinding.Undecided undecided(String transactionId, List<String> problems) {
        StateQueryRequest<Object> request = StateQueryRequest.inStore(txnsStore)
                .withQuery(KeyQuery.<String, Object>withKey(transactionId))
                .requireActive();
        Map<Integer, QueryResult<Object>> results;
        try {
            results = streams.query(request).getPartitionResults();
        } catch (UnknownStateStoreException e) {
            return null; // a topology without cross-partition transactions
        } catch (InvalidStateStoreException e) {
            problems.add("the " + txnsStore + " store cannot be queried here: " + e.getMessage());
            return null;
        }
        for (Map.Entry<Integer, QueryResult<Object>> entry : results.entrySet()) {
            QueryResult<Object> result = entry.getValue();
            if (result.isFailure()) {
                if (result.getFailureReason() != FailureReason.NOT_ACTIVE) {
                    problems.add("partition " + entry.getKey() + ": " + result.getFailureReason() + ": "
                            + result.getFailureMessage());
                }
                continue;
            }
            // Held before stored: the coordinator stores a held state before it stops holding it.
            Optional<TransactionState> inMemory = held.find(entry.getKey(), transactionId);
            if (inMemory.isPresent()) {
                return new TxnFinding.Undecided(entry.getKey(), inMemory.get());
            }
            Object value = result.getResult();
            if (value instanceof ValueAndTimestamp<?> timestamped) {
                value = timestamped.value();
            }
            if (value instanceof TransactionState state) {
                return new TxnFinding.Undecided(entry.getKey(), state);
            }
        }
        return null;
    }
}
