package io.kvpipe.app.registry;

import io.kvpipe.app.topics.MetadataWait;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SchemaLog} in a compacted, single-partition Kafka topic ({@code _schemas} by default),
 * in Confluent's own record format, as Confluent's registry keeps its schemas: ids survive
 * restarts, and the topic can move between this registry and Confluent's.
 *
 * <p>{@link #open} creates the topic when missing (one partition, {@code cleanup.policy=compact})
 * and refuses an existing one that is not so. {@link #replay} reads the topic from its start to
 * its end offset. {@link #append} produces synchronously (acks=all, idempotent) and returns once
 * the broker has acknowledged.
 *
 * <p>Single writer: this log reads the topic once, at replay, and does not follow other writers
 * afterwards, so exactly one registry may use a topic at a time (the embedded default runs one).
 */
public final class KafkaSchemaLog implements SchemaLog {

    /** Confluent's default topic name ({@code kafkastore.topic}). */
    public static final String DEFAULT_TOPIC = "_schemas";
    /** Confluent's default ({@code kafkastore.topic.replication.factor}), capped at the broker count. */
    public static final short DEFAULT_REPLICATION_FACTOR = 3;
    /** How long one Kafka operation (a call, a write, progress while replaying) may take. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSchemaLog.class);

    private final Map<String, Object> kafkaProperties;
    private final String topic;
    private final Duration timeout;
    private final KafkaProducer<String, String> producer;

    private KafkaSchemaLog(Map<String, Object> kafkaProperties, String topic, Duration timeout) {
        this.kafkaProperties = Map.copyOf(kafkaProperties);
        this.topic = topic;
        this.timeout = timeout;
        this.producer = new KafkaProducer<>(producerConfig());
    }

    /**
     * Opens the log in topic {@value #DEFAULT_TOPIC}, creating it if missing with replication
     * factor {@value #DEFAULT_REPLICATION_FACTOR} or the broker count if smaller.
     *
     * @param kafkaProperties Kafka client properties: {@code bootstrap.servers} and any security
     *     settings, passed to the admin client, producer and consumer alike
     * @throws IllegalStateException as {@link #open(Map, String, short, Duration)}
     */
    public static KafkaSchemaLog open(Map<String, Object> kafkaProperties) {
        return open(kafkaProperties, DEFAULT_TOPIC, DEFAULT_REPLICATION_FACTOR, DEFAULT_TIMEOUT);
    }

    /**
     * Opens the log in {@code topic}, creating it if missing (one partition, compacted, {@code
     * replicationFactor} replicas or the broker count if smaller).
     *
     * @param kafkaProperties Kafka client properties: {@code bootstrap.servers} and any security
     *     settings, passed to the admin client, producer and consumer alike
     * @param timeout how long one Kafka operation may take before it counts as failed
     * @throws IllegalStateException if Kafka cannot be reached in time, the topic cannot be
     *     created, or it exists with more than one partition or without {@code
     *     cleanup.policy=compact}
     */
    public static KafkaSchemaLog open(Map<String, Object> kafkaProperties, String topic,
            short replicationFactor, Duration timeout) {
        Admin admin = Admin.create(withClientId(kafkaProperties, "schema-registry-admin"));
        try {
            new TopicCheck(admin, topic, timeout,
                    String.valueOf(kafkaProperties.get("bootstrap.servers"))).ensure(replicationFactor);
        } finally {
            // Nothing worth waiting for: a failed call would otherwise hold close() for a minute.
            admin.close(Duration.ZERO);
        }
        return new KafkaSchemaLog(kafkaProperties, topic, timeout);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if the topic cannot be read to its end offset, or reading
     *     stops progressing for longer than the timeout
     */
    @Override
    public void replay(BiConsumer<String, String> visitor) {
        TopicPartition partition = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), timeout).get(partition);
            long position = consumer.position(partition, timeout);
            long lastProgress = System.nanoTime();
            int count = 0;
            while (position < end) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() == null) {
                        LOG.warn("Skipping a record without key at offset {} of {}", record.offset(), topic);
                        continue;
                    }
                    visitor.accept(record.key(), record.value());
                    count++;
                }
                long now = consumer.position(partition, timeout);
                if (now > position) {
                    position = now;
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > timeout.toNanos()) {
                    throw new IllegalStateException("reading " + topic + " stalled at offset " + position
                            + " of " + end + " for " + timeout.toSeconds() + " s");
                }
            }
            LOG.info("Replayed {} records of {} up to offset {}", count, topic, end);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new IllegalStateException("cannot read " + topic + " to its end: " + e.getMessage(), e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if the broker does not acknowledge the record within the
     *     timeout, or refuses it
     */
    @Override
    public void append(String key, String value) {
        try {
            producer.send(new ProducerRecord<>(topic, 0, key, value))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to " + topic, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("writing to " + topic + " failed: " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("writing to " + topic + " was not acknowledged within "
                    + timeout.toSeconds() + " s", e);
        } catch (KafkaException e) {
            throw new IllegalStateException("writing to " + topic + " failed: " + e.getMessage(), e);
        }
    }

    /** Closes the producer, waiting up to 5 s for anything in flight. */
    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> config = withClientId(kafkaProperties, "schema-registry-writer");
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        return config;
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> config = withClientId(kafkaProperties, "schema-registry-reader");
        // Reads by assignment from the start: no group, nothing committed.
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        return config;
    }

    private static Map<String, Object> withClientId(Map<String, Object> properties, String clientId) {
        Map<String, Object> config = new HashMap<>(properties);
        config.putIfAbsent("client.id", clientId);
        return config;
    }

    /** Creates the topic if missing and checks that it can serve as the log. */
    private record TopicCheck(Admin admin, String topic, Duration timeout, String bootstrap) {

        void ensure(short replicationFactor) {
            TopicDescription description = describe();
            if (description == null) {
                create(replicationFactor);
                // The broker answering may not know the topic it just created yet: ask again.
                description = untilKnown(this::describe, "describe")
                        .orElseThrow(() -> new IllegalStateException("topic " + topic + " was created but is still "
                                + "unknown to Kafka's metadata after " + timeout.toSeconds() + " s"));
            }
            if (description.partitions().size() != 1) {
                throw new IllegalStateException("topic " + topic + " has " + description.partitions().size()
                        + " partitions; the schema log needs exactly one, to keep its records in order");
            }
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = untilKnown(() -> configs(resource), "describe the configs of")
                    .orElseThrow(() -> new IllegalStateException("the configs of topic " + topic
                            + " are still unknown to Kafka's metadata after " + timeout.toSeconds() + " s"));
            String policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
            if (!TopicConfig.CLEANUP_POLICY_COMPACT.equals(policy)) {
                throw new IllegalStateException("topic " + topic + " has cleanup.policy=" + policy
                        + "; the schema log needs cleanup.policy=compact, or schemas would be deleted");
            }
        }

        private <T> Optional<T> untilKnown(Supplier<T> attempt, String action) {
            try {
                return MetadataWait.system().until(attempt, timeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failed(action, e);
            }
        }

        /** The topic's configs, or null while the broker answering does not know the topic yet. */
        private Config configs(ConfigResource resource) {
            try {
                return admin.describeConfigs(List.of(resource)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                        .get(resource);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    return null;
                }
                throw failed("describe the configs of", e.getCause());
            } catch (TimeoutException e) {
                throw failed("describe the configs of", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failed("describe the configs of", e);
            }
        }

        /** The topic's description, or null while the broker answering does not know it. */
        private TopicDescription describe() {
            try {
                return admin.describeTopics(Set.of(topic)).allTopicNames()
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    return null;
                }
                throw failed("describe", e.getCause());
            } catch (TimeoutException e) {
                throw failed("describe", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failed("describe", e);
            }
        }

        private void create(short replicationFactor) {
            int brokers = await(admin.describeCluster().nodes(), "count the brokers for").size();
            short replicas = (short) Math.max(1, Math.min(replicationFactor, brokers));
            if (replicas < replicationFactor) {
                LOG.warn("Creating {} with replication factor {}: only {} broker(s) are up", topic,
                        replicas, brokers);
            }
            NewTopic newTopic = new NewTopic(topic, 1, replicas).configs(Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            try {
                admin.createTopics(List.of(newTopic)).all()
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                LOG.info("Created schema log topic {} (1 partition, {} replicas, compacted)", topic, replicas);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw failed("create", e.getCause());
                }
                // Created meanwhile by someone else: checked like any existing topic.
            } catch (TimeoutException e) {
                throw failed("create", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failed("create", e);
            }
        }

        private <T> T await(KafkaFuture<T> future, String action) {
            try {
                return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw failed(action, e.getCause());
            } catch (TimeoutException e) {
                throw failed(action, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failed(action, e);
            }
        }

        private IllegalStateException failed(String action, Throwable cause) {
            String why = cause instanceof TimeoutException
                    ? "Kafka at " + bootstrap + " did not answer within " + timeout.toSeconds() + " s"
                    : cause.getMessage();
            return new IllegalStateException("cannot " + action + " the schema log topic " + topic + ": "
                    + why, cause);
        }
    }
}
