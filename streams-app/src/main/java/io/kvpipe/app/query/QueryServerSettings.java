package io.kvpipe.app.query;

import io.kvpipe.app.membership.MembershipView;
import io.kvpipe.app.topology.HeldTransactions;
import io.kvpipe.app.topology.StoreNames;
import io.kvpipe.app.topology.TopologySettings;
import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import io.kvpipe.schemas.Topics;
import io.kvpipe.schemas.registry.SchemaRegistryClient;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * What a {@link QueryServer} needs. Build with {@link #builder}.
 *
 * @param host the interface to bind ({@code 0.0.0.0} for all)
 * @param port the port to bind; fixed, because it is part of {@code application.server}
 * @param advertisedHost the host other instances reach this one at (default: {@code host})
 * @param instanceId this instance's id (as in its heartbeats)
 * @param streams the started (or starting) Kafka Streams client holding the store
 * @param membership the membership view routing consults
 * @param topics the pipeline's topics (positions are offsets of {@code topics.requests()})
 * @param storeName the store served ({@code kv})
 * @param partitioner where keys live; must be the one the writes used
 * @param forwardTimeout how long a forward may take to connect and answer, plus any position wait
 *     (default 1 s)
 * @param defaultWait how long a read with a position waits by default (2 s)
 * @param maxWait the longest {@code ?timeoutMs=} accepted (30 s)
 * @param meterRegistry where metrics go; null: the server makes its own and closes it
 * @param registry the schema registry client that decodes stored outcomes for {@code GET /txn/{id}}
 * @param dedupRetention how long outcomes stay in the dedup store (the topology's dedup retention)
 * @param heldTransactions the transactions this instance's coordinators hold in memory only (the
 *     topology's {@code TopologySettings.heldTransactions()}), so {@code GET /txn/{id}} finds them
 */
public record QueryServerSettings(String host, int port, String advertisedHost, String instanceId, KafkaStreams streams,
        MembershipView membership, Topics topics, String storeName, StreamPartitioner<? super String, ?> partitioner,
        Duration forwardTimeout, Duration defaultWait, Duration maxWait, PrometheusMeterRegistry meterRegistry,
        SchemaRegistryClient registry, Duration dedupRetention, HeldTransactions heldTransactions) {

    public QueryServerSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(advertisedHost, "advertisedHost");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(streams, "streams");
        Objects.requireNonNull(membership, "membership");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(storeName, "storeName");
        Objects.requireNonNull(partitioner, "partitioner");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(dedupRetention, "dedupRetention");
        Objects.requireNonNull(heldTransactions, "heldTransactions");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("the query server needs a fixed port (1-65535), got " + port
                    + ": it is part of application.server");
        }
        if (defaultWait.compareTo(maxWait) > 0) {
            throw new IllegalArgumentException("the default wait must not exceed the longest wait");
        }
    }

    /** {@code advertisedHost:port}: what this instance's {@code application.server} must be. */
    public String endpoint() {
        return advertisedHost + ":" + port;
    }

    /**
     * @param heldTransactions the topology's {@code TopologySettings.heldTransactions()}: required, since
     *     a server given another instance would answer 404 for every transaction its coordinators hold
     *     in memory only
     */
    public static Builder builder(String instanceId, KafkaStreams streams, MembershipView membership,
            SchemaRegistryClient registry, HeldTransactions heldTransactions) {
        return new Builder(instanceId, streams, membership, registry, heldTransactions);
    }

    public static final class Builder {
        private final String instanceId;
        private final KafkaStreams streams;
        private final MembershipView membership;
        private final SchemaRegistryClient registry;
        private Duration dedupRetention = TopologySettings.DEFAULT_DEDUP_RETENTION;
        private final HeldTransactions heldTransactions;
        private String host = "localhost";
        private int port;
        private String advertisedHost;
        private Topics topics = Topics.defaults();
        private String storeName = StoreNames.KV;
        private StreamPartitioner<? super String, ?> partitioner = new ConsistentHashPartitioner();
        private Duration forwardTimeout = Duration.ofSeconds(1);
        private Duration defaultWait = Duration.ofSeconds(2);
        private Duration maxWait = Duration.ofSeconds(30);
        private PrometheusMeterRegistry meterRegistry;

        private Builder(String instanceId, KafkaStreams streams, MembershipView membership,
                SchemaRegistryClient registry, HeldTransactions heldTransactions) {
            this.instanceId = instanceId;
            this.streams = streams;
            this.membership = membership;
            this.registry = registry;
            this.heldTransactions = heldTransactions;
        }

        /** Binds {@code host:port}, advertised as the same host unless {@link #advertisedHost} says otherwise. */
        public Builder listen(String host, int port) {
            this.host = host;
            this.port = port;
            return this;
        }

        public Builder advertisedHost(String advertisedHost) {
            this.advertisedHost = advertisedHost;
            return this;
        }

        public Builder topics(Topics topics) {
            this.topics = topics;
            return this;
        }

        public Builder storeName(String storeName) {
            this.storeName = storeName;
            return this;
        }

        public Builder partitioner(StreamPartitioner<? super String, ?> partitioner) {
            this.partitioner = partitioner;
            return this;
        }

        public Builder forwardTimeout(Duration forwardTimeout) {
            this.forwardTimeout = forwardTimeout;
            return this;
        }

        public Builder waits(Duration defaultWait, Duration maxWait) {
            this.defaultWait = defaultWait;
            this.maxWait = maxWait;
            return this;
        }

        public Builder meterRegistry(PrometheusMeterRegistry meterRegistry) {
            this.meterRegistry = meterRegistry;
            return this;
        }

        /** The topology's dedup retention, if not the default. */
        public Builder dedupRetention(Duration dedupRetention) {
            this.dedupRetention = dedupRetention;
            return this;
        }

        public QueryServerSettings build() {
            return new QueryServerSettings(host, port, advertisedHost == null ? host : advertisedHost, instanceId,
                    streams, membership, topics, storeName, partitioner, forwardTimeout, defaultWait, maxWait,
                    meterRegistry, registry, dedupRetention, heldTransactions);
        }
    }
}
