package io.kvpipe.app.heartbeat;

import io.kvpipe.avro.Heartbeat;
import io.kvpipe.schemas.registry.SchemaRegistryClient;
import io.kvpipe.schemas.serde.AvroSerializer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes heartbeats to the heartbeats topic with a small producer of its own, key = instance id,
 * value = Avro in the Confluent wire format.
 *
 * <p>Producer choices: a heartbeat is worth something only for a few hundred milliseconds and the
 * next one replaces it, so this producer favours freshness over durability:
 * <ul>
 *   <li>{@code acks=1}, not {@code all}: losing a beat in a leader failover costs one interval,
 *       while waiting for the ISR would tie liveness to replication latency;
 *   <li>no idempotence and up to 5 in flight: a retried beat may land after a newer one, and the
 *       membership view drops beats older than the newest sequence it has seen;
 *   <li>{@code linger.ms=0}; {@code request.timeout.ms} 2 s and {@code delivery.timeout.ms} 3 s, so
 *       a beat that cannot be delivered soon is dropped rather than delivered late; {@code
 *       max.block.ms} 1 s, so the beat thread never hangs long on missing metadata.
 * </ul>
 * Other client properties (bootstrap servers, security) come from the given client config.
 */
public final class KafkaHeartbeatSink implements HeartbeatSink {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaHeartbeatSink.class);

    private final Producer<String, Heartbeat> producer;
    private final String topic;
    private volatile boolean failing;

    KafkaHeartbeatSink(Producer<String, Heartbeat> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    /**
     * @param clientConfig common Kafka client properties (at least {@code bootstrap.servers})
     * @param registry the schema registry client (the caller owns and closes it)
     */
    public static KafkaHeartbeatSink create(Map<String, Object> clientConfig, String topic, String instanceId,
            SchemaRegistryClient registry) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "kvpipe-heartbeat-" + instanceId);
        config.put(ProducerConfig.ACKS_CONFIG, "1");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3000);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000);
        config.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        return new KafkaHeartbeatSink(new KafkaProducer<>(config, new StringSerializer(),
                new AvroSerializer<>(registry, false)), topic);
    }

    @Override
    public void send(Heartbeat beat) {
        producer.send(new ProducerRecord<>(topic, beat.getInstanceId(), beat), (metadata, error) -> {
            if (error != null && !failing) {
                failing = true;
                LOG.warn("Heartbeats to {} are failing: {}", topic, error.toString());
            } else if (error == null && failing) {
                failing = false;
                LOG.info("Heartbeats to {} are delivered again", topic);
            }
        });
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(2));
    }
}
