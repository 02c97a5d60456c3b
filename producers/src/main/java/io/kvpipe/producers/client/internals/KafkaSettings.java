package io.kvpipe.producers.client.internals;

import io.kvpipe.producers.client.KvClientConfig;
import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The producer's, the consumer's and the registry client's settings for a {@link KvClientConfig}:
 * the application's pass-through properties, under the settings the client depends on.
 */
public final class KafkaSettings {

    /** The registry client's key for its URL list (Confluent's). */
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";

    private KafkaSettings() {}

    /**
     * The bootstrap servers: the config's, else its {@code bootstrap.servers} property.
     *
     * @throws IllegalArgumentException if neither is set
     */
    public static String bootstrapServers(KvClientConfig config) {
        return config.bootstrapServers()
                .or(() -> java.util.Optional.ofNullable(config.kafkaProperties()
                        .get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)).map(Object::toString))
                .filter(s -> !s.isBlank())
                .orElseThrow(() -> new IllegalArgumentException("bootstrap servers are required"));
    }

    /** The producer: acks=all, idempotent, routed by the consistent-hash partitioner. */
    public static Map<String, Object> producer(KvClientConfig config) {
        Map<String, Object> props = new HashMap<>();
        // Tuning defaults, which the application's properties may override. Batching per
        // partition is what lets many concurrent requests share a produce request.
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        // send() blocks the caller while the topic's metadata is missing (for example after the
        // brokers went away and the producer re-bootstrapped) or its buffer is full: at most half
        // the request timeout, then the request fails with the producer's TimeoutException.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, maxBlockMs(config));
        props.putAll(config.kafkaProperties());
        // What the client's guarantees rest on: not overridable.
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(config));
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "kvpipe-" + config.clientId() + "-requests");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, ConsistentHashPartitioner.class.getName());
        props.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        props.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
        props.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
        return props;
    }

    /** The producer's {@code max.block.ms}: the application's if it set one, else {@link #maxBlockMs}. */
    public static long effectiveMaxBlockMs(KvClientConfig config) {
        Object value = config.kafkaProperties().get(ProducerConfig.MAX_BLOCK_MS_CONFIG);
        if (value == null) {
            return maxBlockMs(config);
        }
        try {
            return Long.parseLong(String.valueOf(value).trim());
        } catch (NumberFormatException e) {
            return maxBlockMs(config);
        }
    }

    /** Half the request timeout, at least 100 ms: how long a send may block its caller. */
    static long maxBlockMs(KvClientConfig config) {
        return Math.max(100, config.requestTimeout().toMillis() / 2);
    }

    /** The reply-partition consumer: assigned, never commits, reads only committed outcomes. */
    public static Map<String, Object> consumer(KvClientConfig config) {
        Map<String, Object> props = new HashMap<>(config.kafkaProperties());
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(config));
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "kvpipe-" + config.clientId() + "-results");
        // The pipeline writes outcomes in exactly-once transactions: an aborted attempt's outcome
        // may differ from the one that commits, so it must never be seen.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // The client positions itself at the end; if that position ever falls off the log, the
        // outcomes it waits for are after the end anyway.
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        props.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
        props.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
        return props;
    }

    /** The registry client's settings: the same properties (basic auth...), plus the URL. */
    public static Map<String, Object> registry(KvClientConfig config) {
        Map<String, Object> props = new HashMap<>(config.kafkaProperties());
        config.schemaRegistryUrl().ifPresent(url -> props.put(SCHEMA_REGISTRY_URL, url));
        return props;
    }
}
