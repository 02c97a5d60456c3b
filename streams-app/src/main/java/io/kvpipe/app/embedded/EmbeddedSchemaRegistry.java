package io.kvpipe.app.embedded;

import io.kvpipe.app.StartupException;
import io.kvpipe.app.registry.KafkaSchemaLog;
import io.kvpipe.app.registry.SchemaLog;
import io.kvpipe.app.registry.SchemaRegistryServer;
import io.kvpipe.schemas.Topics;
import java.util.Map;

/**
 * The schema registry of the embedded default: our Confluent-compatible server, keeping its
 * schemas in the compacted {@code _schemas} topic of the Kafka it is given, so ids survive restarts.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {

    private final SchemaRegistryServer server;

    private EmbeddedSchemaRegistry(SchemaRegistryServer server) {
        this.server = server;
    }

    /**
     * @param kafkaConfig client properties with {@code bootstrap.servers}
     * @param replicationFactor of the {@code _schemas} topic if it must be created; below 1 for the
     *     registry's default (3, capped at the number of brokers)
     * @throws StartupException if the port is taken or Kafka cannot hold the schemas topic
     */
    public static EmbeddedSchemaRegistry start(String host, int port, Map<String, Object> kafkaConfig,
            int replicationFactor) {
        Ports.requireFree(host, port, "schema registry", "--registry-port");
        SchemaLog schemaLog;
        try {
            schemaLog = replicationFactor < 1
                    ? KafkaSchemaLog.open(kafkaConfig)
                    : KafkaSchemaLog.open(kafkaConfig, Topics.SCHEMAS, (short) replicationFactor,
                            KafkaSchemaLog.DEFAULT_TIMEOUT);
        } catch (IllegalStateException e) {
            throw new StartupException("the schema registry cannot use Kafka: " + e.getMessage(), e);
        }
        try {
            SchemaRegistryServer server = SchemaRegistryServer.start(host, port, schemaLog);
            return new EmbeddedSchemaRegistry(server);
        } catch (IllegalStateException e) {
            throw new StartupException(e.getMessage(), e);
        }
    }

    /**
     * Fails fast, before anything else starts, if the registry's port is taken.
     *
     * @throws StartupException naming the port
     */
    public static void requirePortFree(String host, int port) {
        Ports.requireFree(host, port, "schema registry", "--registry-port");
    }

    /** The base URL, e.g. {@code http://localhost:8081}. */
    public String url() {
        return server.url();
    }

    @Override
    public void close() {
        server.close();
    }
}
