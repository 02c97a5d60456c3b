package io.kvpipe.app;

import io.kvpipe.app.topics.TopicProvisioner;
import io.kvpipe.app.topics.TopicProvisioner.TopicSpec;
import io.kvpipe.schemas.Topics;
import io.kvpipe.schemas.registry.RestSchemaRegistryClient;
import io.kvpipe.schemas.registry.SchemaRegistryClient;
import io.kvpipe.schemas.registry.SchemaRegistryException;
import io.kvpipe.schemas.serde.SubjectNames;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;

/**
 * The pipeline's topics and schemas, made ready at start: every topic created (or checked) with
 * its partition count, every value schema registered under its Confluent subject, so a schema
 * change the registry refuses as incompatible stops the start, not a stream thread later.
 */
public record Pipeline(Topics topics, Map<String, Integer> partitions, Map<String, Integer> schemaIds) {

    /**
     * @param replicationFactor null for the default: 1 on the embedded broker, the broker's own otherwise
     * @throws StartupException if topics cannot be made ready or a schema is refused
     */
    public static Pipeline provision(Environment environment, String topicPrefix, int partitions,
            Short replicationFactor) {
        if (partitions < 1) {
            throw new StartupException("--partitions must be at least 1, got " + partitions);
        }
        Topics topics = Topics.withPrefix(topicPrefix);
        Optional<Short> rf = Optional.ofNullable(replicationFactor)
                .or(() -> environment.embeddedKafka() ? Optional.of((short) 1) : Optional.empty());
        // Requests, protocol messages, changes and results share one partition count and one
        // partitioner, so a key's request, its 2PC messages and its change stay in one partition.
        List<TopicSpec> specs = List.of(
                new TopicSpec(topics.requests(), partitions, rf, Map.of()),
                new TopicSpec(topics.txnProtocol(), partitions, rf, Map.of()),
                new TopicSpec(topics.changes(), partitions, rf, Map.of()),
                new TopicSpec(topics.results(), partitions, rf, Map.of()),
                new TopicSpec(topics.heartbeats(), 1, rf, Map.of(
                        "cleanup.policy", "compact,delete", "retention.ms", String.valueOf(24 * 3600 * 1000))),
                new TopicSpec(topics.deadLetters(), 1, rf, Map.of()));
        Map<String, Integer> counts;
        try (Admin admin = Admin.create(environment.clientConfig())) {
            counts = new TopicProvisioner(admin).ensure(specs);
        }
        return new Pipeline(topics, counts, registerSchemas(environment, topics));
    }

    private static Map<String, Integer> registerSchemas(Environment environment, Topics topics) {
        Map<String, Object> config = new LinkedHashMap<>(environment.clientConfig());
        config.put("schema.registry.url", environment.schemaRegistryUrl());
        Map<String, Integer> ids = new LinkedHashMap<>();
        try (SchemaRegistryClient registry = RestSchemaRegistryClient.fromConfig(config)) {
            // Oldest version first, so a fresh subject holds the same history as an upgraded one
            // (the requests topic: Request, then the union that adds batches).
            for (Map.Entry<String, List<Schema>> entry : topics.valueSchemaVersions().entrySet()) {
                String subject = SubjectNames.of(entry.getKey(), false);
                for (Schema version : entry.getValue()) {
                    ids.put(subject, registry.register(subject, version));
                }
            }
        } catch (SchemaRegistryException e) {
            throw new StartupException("the schema registry at " + environment.schemaRegistryUrl()
                    + " refused the pipeline's schemas: " + e.getMessage(), e);
        }
        return ids;
    }
}
