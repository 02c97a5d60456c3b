package io.kvpipe.producers.client;

import io.kvpipe.schemas.Limits;
import io.kvpipe.schemas.Topics;
import io.kvpipe.schemas.registry.SchemaRegistryClient;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.Executor;

/**
 * How a {@link KvClient} connects and behaves. Built with {@link #builder()}; immutable.
 *
 * <pre>{@code
 * KvClientConfig config = KvClientConfig.builder()
 *         .bootstrapServers("broker1:9092,broker2:9092")
 *         .schemaRegistryUrl("http://registry:8081")
 *         .kafkaProperty("security.protocol", "SSL")     // passed to the producer, the consumer and the registry client
 *         .requestTimeout(Duration.ofSeconds(10))
 *         .build();
 * try (KvClient client = KvClient.create(config)) { ... }
 * }</pre>
 */
public final class KvClientConfig {

    /** How long a request waits for its outcome unless configured: 30 s. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** How long {@link KvClient#close()} gives the producer and consumer to close: 5 s. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    /** At most this many requests share one requests-topic record unless configured. */
    public static final int DEFAULT_MAX_BATCH_REQUESTS = 500;

    /** A record of several requests is at most this many bytes unless configured: 512 KiB. */
    public static final int DEFAULT_MAX_BATCH_BYTES = 512 * 1024;

    private final String bootstrapServers;
    private final String schemaRegistryUrl;
    private final SchemaRegistryClient schemaRegistry;
    private final Topics topics;
    private final String topicPrefix;
    private final String clientId;
    private final Map<String, Object> kafkaProperties;
    private final Duration requestTimeout;
    private final Duration closeTimeout;
    private final Integer replyPartition;
    private final Executor completionExecutor;
    private final int maxBatchRequests;
    private final boolean batchedOutcomes;
    private final int maxBatchBytes;

    private KvClientConfig(Builder b) {
        this.bootstrapServers = b.bootstrapServers;
        this.schemaRegistryUrl = b.schemaRegistryUrl;
        this.schemaRegistry = b.schemaRegistry;
        this.topicPrefix = b.topicPrefix;
        this.topics = Topics.withPrefix(b.topicPrefix);
        this.clientId = b.clientId != null ? b.clientId : UUID.randomUUID().toString();
        this.kafkaProperties = Collections.unmodifiableMap(new LinkedHashMap<>(b.kafkaProperties));
        this.requestTimeout = b.requestTimeout;
        this.closeTimeout = b.closeTimeout;
        this.replyPartition = b.replyPartition;
        this.completionExecutor = b.completionExecutor;
        this.maxBatchRequests = b.maxBatchRequests;
        this.batchedOutcomes = b.batchedOutcomes;
        this.maxBatchBytes = b.maxBatchBytes;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The Kafka bootstrap servers; empty if only given as a {@link #kafkaProperties() property}. */
    public Optional<String> bootstrapServers() {
        return Optional.ofNullable(bootstrapServers);
    }

    /** The schema registry URL(s); empty when a {@link #schemaRegistry() client} is given. */
    public Optional<String> schemaRegistryUrl() {
        return Optional.ofNullable(schemaRegistryUrl);
    }

    /** A registry client supplied (and owned, closed) by the application. */
    public Optional<SchemaRegistryClient> schemaRegistry() {
        return Optional.ofNullable(schemaRegistry);
    }

    /** The pipeline's topics (by prefix, {@code kv-} by default). */
    public Topics topics() {
        return topics;
    }

    public String topicPrefix() {
        return topicPrefix;
    }

    /** This client's id (random unless configured): it is the replyTo client id of every request. */
    public String clientId() {
        return clientId;
    }

    /** Kafka client properties passed to the producer, the consumer and the registry client. */
    public Map<String, Object> kafkaProperties() {
        return kafkaProperties;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    public Duration closeTimeout() {
        return closeTimeout;
    }

    /** The results-topic partition to read; empty means derived from the client id. */
    public OptionalInt replyPartition() {
        return replyPartition == null ? OptionalInt.empty() : OptionalInt.of(replyPartition);
    }

    /** Where futures are completed; empty means on the client's own threads. */
    public Optional<Executor> completionExecutor() {
        return Optional.ofNullable(completionExecutor);
    }

    /** At most how many requests one requests-topic record carries (1: every request alone). */
    public int maxBatchRequests() {
        return maxBatchRequests;
    }

    /** Whether requests ask for their outcomes in batches (see {@link Builder#batchedOutcomes}). */
    public boolean batchedOutcomes() {
        return batchedOutcomes;
    }

    /** At most how many bytes a record of several requests takes. */
    public int maxBatchBytes() {
        return maxBatchBytes;
    }

    /** Builds a {@link KvClientConfig}. */
    public static final class Builder {

        private String bootstrapServers;
        private String schemaRegistryUrl;
        private SchemaRegistryClient schemaRegistry;
        private String topicPrefix = Topics.DEFAULT_PREFIX;
        private String clientId;
        private final Map<String, Object> kafkaProperties = new LinkedHashMap<>();
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
        private Integer replyPartition;
        private Executor completionExecutor;
        private int maxBatchRequests = DEFAULT_MAX_BATCH_REQUESTS;
        private boolean batchedOutcomes;
        private int maxBatchBytes = DEFAULT_MAX_BATCH_BYTES;

        private Builder() {}

        /** Kafka's {@code bootstrap.servers}, e.g. {@code localhost:9092}. */
        public Builder bootstrapServers(String bootstrapServers) {
            this.bootstrapServers = blankToNull(bootstrapServers);
            return this;
        }

        /** The schema registry URL, or a comma-separated list tried in turn. */
        public Builder schemaRegistryUrl(String schemaRegistryUrl) {
            this.schemaRegistryUrl = blankToNull(schemaRegistryUrl);
            return this;
        }

        /**
         * A registry client to use instead of one built from the URL. The application owns it: the
         * client does not close it.
         */
        public Builder schemaRegistry(SchemaRegistryClient schemaRegistry) {
            this.schemaRegistry = schemaRegistry;
            return this;
        }

        /** The prefix of the pipeline's topics ({@code kv-} by default). */
        public Builder topicPrefix(String topicPrefix) {
            this.topicPrefix = Objects.requireNonNull(topicPrefix, "topicPrefix");
            return this;
        }

        /**
         * This client's id, sent as the replyTo client id of every request and used to name its
         * Kafka clients. Random by default. It also picks the default reply partition, so a fixed id
         * gives a fixed reply partition.
         */
        public Builder clientId(String clientId) {
            if (clientId == null || clientId.isBlank()) {
                throw new IllegalArgumentException("a client id must not be blank");
            }
            this.clientId = clientId;
            return this;
        }

        /**
         * A Kafka client property (security, timeouts, tuning...), passed to the producer, the
         * consumer and the schema registry client (which takes its {@code basic.auth.*} keys from
         * the same map). The client keeps the settings it depends on whatever is passed: producer
         * {@code acks=all}, {@code enable.idempotence=true}, the consistent-hash partitioner, its
         * serializers; consumer {@code isolation.level=read_committed}, no auto commit, its
         * deserializers. Tuning defaults it sets ({@code linger.ms=5}, {@code batch.size=65536},
         * {@code max.block.ms} = half the request timeout) yield to a property given here.
         */
        public Builder kafkaProperty(String key, Object value) {
            kafkaProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Every entry as {@link #kafkaProperty}. */
        public Builder kafkaProperties(Map<String, ?> properties) {
            properties.forEach(this::kafkaProperty);
            return this;
        }

        /**
         * How long a request waits for its outcome before its future fails with a
         * {@link RequestTimeoutException} (30 s by default). Also bounds each start-up lookup.
         */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = positive(requestTimeout, "requestTimeout");
            return this;
        }

        /** How long {@link KvClient#close()} waits for the producer and the consumer (5 s by default). */
        public Builder closeTimeout(Duration closeTimeout) {
            Objects.requireNonNull(closeTimeout, "closeTimeout");
            if (closeTimeout.isNegative()) {
                throw new IllegalArgumentException("closeTimeout must not be negative");
            }
            this.closeTimeout = closeTimeout;
            return this;
        }

        /**
         * The results-topic partition this client reads its outcomes from. By default
         * {@code ConsistentHashPartitioner.partitionFor(clientId, resultsPartitionCount)}, which
         * spreads clients evenly; any partition works, clients sharing one ignore each other's
         * outcomes.
         */
        public Builder replyPartition(int replyPartition) {
            if (replyPartition < 0) {
                throw new IllegalArgumentException("a reply partition is at least 0, got " + replyPartition);
            }
            this.replyPartition = replyPartition;
            return this;
        }

        /**
         * Where to complete the futures (so where their dependent actions run). By default they
         * complete on the client's results thread (or its timeout thread, or the producer's I/O
         * thread for a send failure): dependent actions must then be quick and must not block on
         * another request of the same client; use the {@code ...Async} methods or give an executor
         * here otherwise.
         */
        public Builder completionExecutor(Executor completionExecutor) {
            this.completionExecutor = completionExecutor;
            return this;
        }

        /**
         * At most how many requests share one record of the requests topic (a {@code RequestBatch}),
         * {@value KvClientConfig#DEFAULT_MAX_BATCH_REQUESTS} by default, at most
         * {@code Limits.MAX_BATCH_REQUESTS}. Requests of one partition that queue while the client
         * is writing share a record; nothing waits to fill one. Each request keeps its own id,
         * outcome and success or failure. 1 writes every request as a plain {@code Request} record,
         * which a pipeline from before batches also reads.
         */
        public Builder maxBatchRequests(int maxBatchRequests) {
            if (maxBatchRequests < 1 || maxBatchRequests > Limits.MAX_BATCH_REQUESTS) {
                throw new IllegalArgumentException("maxBatchRequests must be 1 to " + Limits.MAX_BATCH_REQUESTS
                        + ", got " + maxBatchRequests);
            }
            this.maxBatchRequests = maxBatchRequests;
            return this;
        }

        /**
         * Whether requests ask for batched outcomes ({@code Request.batchedOutcomes}): the pipeline
         * then writes what one processing step decided for this client as one {@code OutcomeBatch}
         * record keyed by the client id, instead of one {@code Outcome} record per request. Off by
         * default: on a 2-core machine it saved results-topic records without a measurable gain in
         * throughput, and 2-key transactions measured lower with it in most runs (see the README's
         * Figures). A pipeline from before batches ignores it.
         */
        public Builder batchedOutcomes(boolean batchedOutcomes) {
            this.batchedOutcomes = batchedOutcomes;
            return this;
        }

        /**
         * At most how many bytes (framing included) a record of several requests takes, 512 KiB by
         * default; keep it under the producer's {@code max.request.size} and the topic's
         * {@code max.message.bytes} (1 MiB by default). A request bigger than this goes alone.
         */
        public Builder maxBatchBytes(int maxBatchBytes) {
            if (maxBatchBytes < 1024) {
                throw new IllegalArgumentException("maxBatchBytes must be at least 1024, got " + maxBatchBytes);
            }
            this.maxBatchBytes = maxBatchBytes;
            return this;
        }

        public KvClientConfig build() {
            return new KvClientConfig(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + d);
            }
            return d;
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s.strip();
        }
    }
}
