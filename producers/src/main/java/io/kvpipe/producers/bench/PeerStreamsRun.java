package io.kvpipe.producers.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The peer: a plain Kafka Streams app under {@code exactly_once_v2} (commit interval 100 ms) that
 * materializes every input record into a RocksDB table and emits one output per input, on the same
 * broker with the same record size and partition count. It returns nothing to any client, so it
 * is the bar the pipeline's end-to-end throughput (outcomes returned) is measured against.
 */
final class PeerStreamsRun {

    private static final String STORE = "peer-table";

    private PeerStreamsRun() {}

    /**
     * Starts the app on an input holding {@code warmUp} records and, once it has emitted their
     * outputs (started, and warm), writes {@code records} more with the raw producer's settings
     * while it runs, as the pipeline's clients write their requests while it runs.
     *
     * @return outputs per second while they flow: from when the first of the measured records'
     *         outputs are visible to a read_committed consumer to when the last are, counting those
     *         seen after the first; the app's start-up is not in it, as the pipeline's is not in
     *         the pipeline's figure
     */
    static double run(Map<String, Object> clientConfig, String runId, int partitions, int warmUp, int records,
            int keys, int recordBytes) throws Exception {
        String input = "bench-peer-in-" + runId;
        String output = "bench-peer-out-" + runId;
        String applicationId = "bench-peer-" + runId;
        BenchTopics.create(clientConfig, partitions, input, output);
        try {
            return measure(clientConfig, input, output, applicationId, partitions, warmUp, records, keys, recordBytes);
        } finally {
            // The app has left its group by now; its changelog is named after it, as Kafka Streams names them.
            BenchTopics.delete(clientConfig, List.of(input, output, applicationId + "-" + STORE + "-changelog"));
            BenchTopics.deleteGroup(clientConfig, applicationId);
        }
    }

    private static double measure(Map<String, Object> clientConfig, String input, String output, String applicationId,
            int partitions, int warmUp, int records, int keys, int recordBytes) throws Exception {
        RawProducerRun.write(clientConfig, input, warmUp, keys, recordBytes, "peer input");

        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE),
                Serdes.ByteArray(), Serdes.ByteArray()));
        builder.<byte[], byte[]>stream(input)
                .process(Materialize::new, STORE)
                .to(output);
        Path stateDir = Files.createTempDirectory("kvpipe-bench-peer");
        Properties props = new Properties();
        props.putAll(clientConfig);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");

        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        try (OutputCounter outputs = new OutputCounter(clientConfig, output, partitions)) {
            streams.start();
            // Before the warm-up's outputs, the output topic holds its own first records and the
            // outputs of the input's (one per partition each: BenchTopics.create).
            long before = 2L * BenchTopics.warmUpRecords(partitions) + warmUp;
            long total = before + records;
            outputs.await(before, null);
            long writeStart = System.nanoTime();
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> RawProducerRun.write(clientConfig, input,
                    records, keys, recordBytes, "peer input"));
            // As for the pipeline (from the warm-up's last outcome), count from when outputs flow:
            // the first measured ones visible, so the producer's set-up and the first commit
            // interval are out of the time, as the pipeline's fill is out of its.
            long flowing = outputs.await(before + 1, writing);
            long start = System.nanoTime();
            outputs.await(total, writing);
            long end = System.nanoTime();
            writing.join();
            return flowing < total ? (total - flowing) / ((end - start) / 1e9) : records / ((end - writeStart) / 1e9);
        } finally {
            // Leaving the group (Kafka Streams stays in it on close by default) empties it, so that
            // the run can delete it.
            streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(30)));
            deleteQuietly(stateDir);
        }
    }

    /** Counts the records of the output topic as a read_committed consumer sees them. */
    private static final class OutputCounter implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private long seen;

        OutputCounter(Map<String, Object> clientConfig, String topic, int partitions) {
            Map<String, Object> config = new HashMap<>(clientConfig);
            config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
            consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> tps = IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p))
                    .toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
        }

        /**
         * Reads until at least {@code expected} records in all have been seen; fails at once if
         * {@code writing} (the input's writer, or null) failed.
         *
         * @return how many have been seen
         */
        long await(long expected, CompletableFuture<Void> writing) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (seen < expected) {
                if (writing != null && writing.isCompletedExceptionally()) {
                    writing.join(); // throws the writer's failure
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("peer: " + seen + " of " + expected + " outputs after 10 minutes");
                }
                seen += consumer.poll(Duration.ofMillis(100)).count();
            }
            return seen;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception e) {
            // A temp directory left behind is not worth failing a bench for.
        }
    }

    /** Puts every input into the table and forwards it: one store write and one output per input. */
    private static final class Materialize implements Processor<byte[], byte[], byte[], byte[]> {
        private ProcessorContext<byte[], byte[]> context;
        private KeyValueStore<byte[], byte[]> table;

        @Override
        public void init(ProcessorContext<byte[], byte[]> context) {
            this.context = context;
            this.table = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            table.put(record.key(), record.value());
            context.forward(record);
        }
    }
}
