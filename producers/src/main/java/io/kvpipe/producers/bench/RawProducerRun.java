package io.kvpipe.producers.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The ceiling: the raw Kafka producer writing the same number of records of the same size, with
 * {@code acks=all} and idempotence, to a fresh topic of the same partition count.
 */
final class RawProducerRun {

    private RawProducerRun() {}

    /** @return records per second, from the first send to the last acknowledgement */
    static double run(Map<String, Object> clientConfig, String topic, int partitions, int records, int keys,
            int recordBytes) throws Exception {
        BenchTopics.create(clientConfig, partitions, topic);
        try {
            return records / write(clientConfig, topic, records, keys, recordBytes, "raw producer");
        } finally {
            BenchTopics.delete(clientConfig, List.of(topic));
        }
    }

    /**
     * Writes {@code records} records of {@code recordBytes} bytes over {@code keys} keys with the
     * raw producer's settings and waits for their acknowledgements; also the peer's input writer.
     *
     * @param what names the writer in a failure
     * @return seconds from the first send to the last acknowledgement
     * @throws IllegalStateException if a write failed, or acknowledgements are missing after 10 minutes
     */
    static double write(Map<String, Object> clientConfig, String topic, int records, int keys, int recordBytes,
            String what) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        byte[] value = new byte[recordBytes];
        CountDownLatch acked = new CountDownLatch(records);
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
                new ByteArraySerializer())) {
            long start = System.nanoTime();
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, "key-" + (i % keys), value), (metadata, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                    acked.countDown();
                });
            }
            if (!acked.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException(what + ": acknowledgements missing after 10 minutes");
            }
            if (failure.get() != null) {
                throw new IllegalStateException(what + ": a write failed", failure.get());
            }
            return (System.nanoTime() - start) / 1e9;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + ": interrupted", e);
        }
    }
}
