package io.kvpipe.app.streams;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The Kafka Streams configuration of one app instance. Every setting that matters for the
 * promises is here, with its reason; pass-through client properties come first so that security
 * settings reach every client, and the settings below win over them where a promise depends on it.
 */
public final class StreamsProperties {

    /** Standby replicas per task when more than one instance runs (warm replicas for failover and reads). */
    public static final int DEFAULT_STANDBY_REPLICAS = 1;

    /** Commit (and so make outputs visible) every 100 ms: latency against throughput under exactly-once. */
    public static final int DEFAULT_COMMIT_INTERVAL_MS = 100;

    /** The Streams producer's {@code batch.size} unless configured: 256 KiB. */
    public static final int DEFAULT_PRODUCER_BATCH_BYTES = 256 * 1024;

    private StreamsProperties() {}

    /**
     * @param clientConfig pass-through client properties, with {@code bootstrap.servers}
     * @param applicationId the consumer group and internal topic prefix shared by all instances
     * @param queryEndpoint {@code host:port} of this instance's query server ({@code application.server})
     * @param stateDir where this instance keeps its RocksDB stores
     * @param replicationFactor of internal (changelog) topics; -1 for the broker default
     */
    public static Properties of(Map<String, Object> clientConfig, String applicationId, String queryEndpoint,
            Path stateDir, int replicationFactor, int standbyReplicas, int streamThreads) {
        Properties props = new Properties();
        props.putAll(clientConfig);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, queryEndpoint);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
        // A write is applied, its change published and its outcome returned in one Kafka transaction.
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, DEFAULT_COMMIT_INTERVAL_MS);
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, standbyReplicas);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, streamThreads);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, replicationFactor);
        // There are no global stores; opting in now silences Streams' start-up warning about it.
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        // Standbys track their position too, so a position-bounded read can be served by a replica.
        props.put(StreamsConfig.InternalConfig.IQ_CONSISTENCY_OFFSET_VECTOR_ENABLED, true);
        // A task reads its requests partition and its protocol partition; their relative order does
        // not matter (every protocol step is idempotent and order-tolerant), so never hold one back
        // waiting for data on the other, which would add latency to every two-phase commit.
        props.putIfAbsent(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        // Throughput: every commit flushes the producer, so what one commit interval writes (changelogs,
        // changes, results; several per request) goes out at once. 256 KiB batches instead of the
        // default 16 KiB make that a few large produce requests instead of many small ones, which is
        // what the broker's and the producer's per-request work scales with. (Streams already sets
        // linger.ms to 100.)
        props.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), DEFAULT_PRODUCER_BATCH_BYTES);
        // Fail over in seconds, not the default 45 s, when an instance dies without leaving the group.
        props.putIfAbsent(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        props.putIfAbsent(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 2_000);
        return props;
    }
}
