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
 */
public record TopologySettings(
        Topics topics,
        int requestPartitions,
        SchemaRegistryClient registry,
        ProcessingLiveness liveness,
        String instanceId,
        Duration dedupRetention) {

    /** How long outcomes are remembered for retries unless told otherwise: 24 hours. */
    public static final Duration DEFAULT_DEDUP_RETENTION = Duration.ofHours(24);

    public TopologySettings {
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(liveness, "liveness");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(dedupRetention, "dedupRetention");
        if (requestPartitions < 1) {
            throw new IllegalArgumentException("requestPartitions must be at least 1, was " + requestPartitions);
        }
        if (dedupRetention.isNegative() || dedupRetention.isZero()) {
            throw new IllegalArgumentException("dedupRetention must be positive, was " + dedupRetention);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link TopologySettings}; every field but {@code dedupRetention} is required. */
    public static final class Builder {
        private Topics topics;
        private int requestPartitions;
        private SchemaRegistryClient registry;
        private ProcessingLiveness liveness;
        private String instanceId;
        private Duration dedupRetention = DEFAULT_DEDUP_RETENTION;

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

        public TopologySettings build() {
            return new TopologySettings(topics, requestPartitions, registry, liveness, instanceId, dedupRetention);
        }
    }
}
