package io.kvpipe.app.topology;

import io.kvpipe.app.heartbeat.ProcessingLiveness;
import io.kvpipe.schemas.Topics;
import io.kvpipe.schemas.registry.SchemaRegistryClient;
import java.time.Duration;
import java.util.Objects;

/**
 * What {@link RequestTopology#build(TopologySettings)} needs to know.
 *
 * @param topics            the pipeline's topic names
 * @param requestPartitions the requests topic's full partition count: a key belongs to partition
 *                          {@code ConsistentHashPartitioner.partitionFor(key, requestPartitions)}, so this
 *                          must be the real count or every request is judged misrouted
 * @param registry          the schema registry client behind every Avro serde (the caller owns and closes it)
 * @param liveness          ticked on every record and every ~100 ms of wall-clock time by each stream thread
 * @param instanceId        this instance's id, written into dead letters
 * @param dedupRetention    how long a request id's outcome is remembered: a retry within it gets the first
 *                          outcome; a retry after it is applied again. Default {@link #DEFAULT_DEDUP_RETENTION}
 * @param transactionTimeout    how long a cross-partition transaction may wait for its votes when the
 *                              request names no timeout. Default {@link #DEFAULT_TRANSACTION_TIMEOUT}
 * @param maxTransactionTimeout the longest timeout a request may name; participants remember
 *                              decisions that overtook their prepare this long plus
 *                              {@link #DECISION_MEMORY_MARGIN}. Default
 *                              {@link #MAX_TRANSACTION_TIMEOUT}
 * @param heldTransactions      where this instance's coordinators show the transactions they hold in
 *                              memory only, for {@code GET /txn/{id}}. Default: a new one
 */
public record TopologySettings(
        Topics topics,
        int requestPartitions,
        SchemaRegistryClient registry,
        ProcessingLiveness liveness,
        String instanceId,
        Duration dedupRetention,
        Duration transactionTimeout,
        Duration maxTransactionTimeout,
        HeldTransactions heldTransactions) {

    /** How long outcomes are remembered for retries unless told otherwise: 24 hours. */
    public static final Duration DEFAULT_DEDUP_RETENTION = Duration.ofHours(24);
    /** A transaction's timeout when its request names none: 5 seconds. */
    public static final Duration DEFAULT_TRANSACTION_TIMEOUT = Duration.ofSeconds(5);
    /** The longest timeout a request may name unless told otherwise: 60 seconds. */
    public static final Duration MAX_TRANSACTION_TIMEOUT = Duration.ofSeconds(60);
    /**
     * How much longer than the longest timeout a participant remembers a decision that overtook its
     * prepare, so that the late prepare locks nothing even from a coordinator whose clock runs ahead.
     */
    public static final Duration DECISION_MEMORY_MARGIN = Duration.ofMinutes(5);

    public TopologySettings {
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(liveness, "liveness");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(dedupRetention, "dedupRetention");
        Objects.requireNonNull(transactionTimeout, "transactionTimeout");
        Objects.requireNonNull(maxTransactionTimeout, "maxTransactionTimeout");
        Objects.requireNonNull(heldTransactions, "heldTransactions");
        if (transactionTimeout.toMillis() < 1 || transactionTimeout.compareTo(maxTransactionTimeout) > 0
                || maxTransactionTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("transactionTimeout must be at least 1 ms and at most maxTransactionTimeout ("
                    + maxTransactionTimeout + "), which fits an int of ms; was " + transactionTimeout);
        }
        if (requestPartitions < 1) {
            throw new IllegalArgumentException("requestPartitions must be at least 1, was " + requestPartitions);
        }
        if (dedupRetention.isNegative() || dedupRetention.isZero()) {
            throw new IllegalArgumentException("dedupRetention must be positive, was " + dedupRetention);
        }
    }

    /** How long a participant remembers a decision that overtook its prepare: the longest timeout and a margin. */
    public Duration decisionMemory() {
        return maxTransactionTimeout.plus(DECISION_MEMORY_MARGIN);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link TopologySettings}; every field but the durations is required. */
    public static final class Builder {
        private Topics topics;
        private int requestPartitions;
        private SchemaRegistryClient registry;
        private ProcessingLiveness liveness;
        private String instanceId;
        private Duration dedupRetention = DEFAULT_DEDUP_RETENTION;
        private Duration transactionTimeout = DEFAULT_TRANSACTION_TIMEOUT;
        private Duration maxTransactionTimeout = MAX_TRANSACTION_TIMEOUT;
        private HeldTransactions heldTransactions = new HeldTransactions();

        private Builder() {}

        public Builder topics(Topics topics) {
            this.topics = topics;
            return this;
        }

        public Builder requestPartitions(int requestPartitions) {
            this.requestPartitions = requestPartitions;
            return this;
        }

        public Builder registry(SchemaRegistryClient registry) {
            this.registry = registry;
            return this;
        }

        public Builder liveness(ProcessingLiveness liveness) {
            this.liveness = liveness;
            return this;
        }

        public Builder instanceId(String instanceId) {
            this.instanceId = instanceId;
            return this;
        }

        public Builder dedupRetention(Duration dedupRetention) {
            this.dedupRetention = dedupRetention;
            return this;
        }

        public Builder transactionTimeout(Duration transactionTimeout) {
            this.transactionTimeout = transactionTimeout;
            return this;
        }

        public Builder maxTransactionTimeout(Duration maxTransactionTimeout) {
            this.maxTransactionTimeout = maxTransactionTimeout;
            return this;
        }

        /** Where coordinators show the transactions they hold in memory (for the query server); default: a new one. */
        public Builder heldTransactions(HeldTransactions heldTransactions) {
            this.heldTransactions = heldTransactions;
            return this;
        }

        public TopologySettings build() {
            return new TopologySettings(topics, requestPartitions, registry, liveness, instanceId, dedupRetention,
                    transactionTimeout, maxTransactionTimeout, heldTransactions);
        }
    }
}
