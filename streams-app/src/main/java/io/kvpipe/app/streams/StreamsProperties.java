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

    /**
     * Stream threads of an instance unless configured: two. A thread runs its tasks in turns with
     * the broker: it processes what its last commit made readable, then waits while the broker takes
     * its records and writes the transaction's markers, then waits for them to come back. Under
     * two-phase commit most of a thread's input is released by its own commits, so one thread waits
     * over 40 % of its time (in polls and commits); a second overlaps those waits with work. Measured on 2 cores (README,
     * Figures): 2-key transactions 15 to 19 % faster once warm; single-key writes 3 % slower once
     * warm, 7 to 11 % slower in a fresh app's first minute, while the JIT compilers need the cores.
     */
    public static final int DEFAULT_STREAM_THREADS = 2;

    /** Commit (and so make outputs visible) every 100 ms: latency against throughput under exactly-once. */
    public static final int DEFAULT_COMMIT_INTERVAL_MS = 100;

    /** How long a stream thread's poll blocks waiting for input unless configured: 10 ms, not Streams' 100 ms. */
    public static final long DEFAULT_POLL_MS = 10;

    /** How long the broker may hold a stream thread's fetch for data unless configured: 50 ms, not 500 ms. */
    public static final int DEFAULT_MAIN_CONSUMER_FETCH_MAX_WAIT_MS = 50;

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
        // There are no global stores; opting in now silences Streams' start-up warning about it. The
        // partition assignor builds its own StreamsConfig from the main consumer's settings, which
        // would log the same warning at every start without the prefixed copy.
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        props.put(StreamsConfig.mainConsumerPrefix(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG), true);
        // Not Kafka Streams' offset vector: read positions are the kv store's AppliedOffset entry,
        // which replicas get through the changelog. The vector puts a 386-byte header on every
        // changelog record (Streams 4.3.1), which cost about a tenth of the single-key throughput.
        props.put(StreamsConfig.InternalConfig.IQ_CONSISTENCY_OFFSET_VECTOR_ENABLED, false);
        // A task reads its requests partition and its protocol partition; their relative order does
        // not matter (every protocol step is idempotent and order-tolerant), so never hold one back
        // waiting for data on the other, which would add latency to every two-phase commit.
        props.putIfAbsent(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
        // The kv store's memtables are smaller than Kafka Streams' default (see PipelineRocksDBConfig);
        // an application's own setter replaces this one.
        props.putIfAbsent(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, PipelineRocksDBConfig.class);
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        // Throughput: every commit flushes the producer, so what one commit interval writes (changelogs,
        // changes, results; several per request) goes out at once. 256 KiB batches instead of the
        // default 16 KiB make that a few large produce requests instead of many small ones, which is
        // what the broker's and the producer's per-request work scales with. (Streams already sets
        // linger.ms to 100.)
        defaultUnlessSet(props, DEFAULT_PRODUCER_BATCH_BYTES, StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG),
                ProducerConfig.BATCH_SIZE_CONFIG);
        // Latency, and with it the throughput of clients that keep a bounded number of requests in
        // flight. An outcome is visible only once the commit that ends its transaction is done, and a
        // stream thread checks whether a commit is due only between polls. A client waiting for its
        // outcomes sends nothing new, so a poll blocking for Streams' default 100 ms held a due
        // commit, and every outcome in it, for up to that long: under the bench on the embedded
        // default the thread spent half its time in polls that averaged 70 to 80 ms.
        props.putIfAbsent(StreamsConfig.POLL_MS_CONFIG, DEFAULT_POLL_MS);
        // A consumer has one fetch in flight per broker, and it leaves out the partitions that still
        // have records buffered. Under load that is often all the requests partitions, so the fetch
        // holds only idle ones (the protocol topic's, under single-key writes), and the broker kept it
        // for fetch.max.wait.ms (500 ms by default) while new requests waited behind it: the main
        // consumer's fetches took 300 ms on average. 50 ms bounds that stall to half a commit
        // interval. 20 ms was no faster under load, and cost more at rest: an idle embedded app (its
        // broker included) used 4.4 s of CPU per 30 s with it, 3.5 s with 50 ms and the 10 ms poll,
        // 2.2 s with Streams' defaults.
        defaultUnlessSet(props, DEFAULT_MAIN_CONSUMER_FETCH_MAX_WAIT_MS,
                StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG),
                StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG),
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG);
        // Fail over in seconds, not the default 45 s, when an instance dies without leaving the group.
        defaultUnlessSet(props, 10_000, StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG),
                StreamsConfig.mainConsumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG),
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG);
        defaultUnlessSet(props, 2_000, StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG),
                StreamsConfig.mainConsumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG),
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG);
        return props;
    }

    /**
     * Sets {@code keys[0]} to {@code value} unless the application set any of {@code keys}: the
     * setting under each prefix Streams reads it from. A prefixed default must not override the
     * application's unprefixed setting, which Streams would otherwise rank below it.
     */
    private static void defaultUnlessSet(Properties props, Object value, String... keys) {
        for (String key : keys) {
            if (props.containsKey(key)) {
                return;
            }
        }
        props.put(keys[0], value);
    }
}
