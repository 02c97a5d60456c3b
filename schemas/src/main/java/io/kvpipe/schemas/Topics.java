package io.kvpipe.schemas;

import io.kvpipe.avro.ChangeEvent;
import io.kvpipe.avro.DeadLetter;
import io.kvpipe.avro.Heartbeat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;

/**
 * The names of the topics that make up one pipeline. Every name is {@code <prefix><role>}, so
 * several pipelines can share a cluster; the default prefix is {@code kv-}.
 *
 * <p>Keys on every topic are plain UTF-8 strings (the data key, routing key or instance id), so the
 * partitioner hashes the same bytes whatever language produced them; values are Avro in the
 * Confluent wire format, registered under {@code <topic>-value}.
 */
public final class Topics {

    /** The prefix used when none is configured. */
    public static final String DEFAULT_PREFIX = "kv-";

    /** Where the embedded schema registry keeps its schemas (Confluent's default name). */
    public static final String SCHEMAS = "_schemas";

    private final String prefix;

    private Topics(String prefix) {
        this.prefix = Objects.requireNonNull(prefix, "prefix");
    }

    /** The topics with the default prefix. */
    public static Topics defaults() {
        return new Topics(DEFAULT_PREFIX);
    }

    /** The topics with {@code prefix} in front of every role name. */
    public static Topics withPrefix(String prefix) {
        return new Topics(prefix);
    }

    /** The prefix every topic name starts with. */
    public String prefix() {
        return prefix;
    }

    /** Client requests ({@code Request} or {@code RequestBatch}, see {@link RequestsValue}), keyed by routing key. */
    public String requests() {
        return prefix + "requests";
    }

    /**
     * Request outcomes ({@code Outcome} or {@code OutcomeBatch}, see {@link ResultsValue}), each
     * client reading its own reply partition.
     */
    public String results() {
        return prefix + "results";
    }

    /** Committed changes ({@code ChangeEvent}), keyed by data key. */
    public String changes() {
        return prefix + "changes";
    }

    /**
     * Two-phase-commit messages ({@code ProtocolMessage} or {@code ProtocolBatch}, see {@link ProtocolValue}),
     * co-partitioned with {@link #requests()}.
     */
    public String txnProtocol() {
        return prefix + "txn-protocol";
    }

    /** Instance heartbeats ({@code Heartbeat}), keyed by instance id. */
    public String heartbeats() {
        return prefix + "heartbeats";
    }

    /** Input that could not be processed ({@code DeadLetter}). */
    public String deadLetters() {
        return prefix + "dead-letters";
    }

    /** Every topic of the pipeline (not the registry's). */
    public List<String> all() {
        return List.of(requests(), results(), changes(), txnProtocol(), heartbeats(), deadLetters());
    }

    /**
     * Each topic's value schema: the wire contract that is registered under {@code <topic>-value}
     * (the latest version; see {@link #valueSchemaVersions()}).
     */
    public Map<String, Schema> valueSchemas() {
        Map<String, Schema> schemas = new LinkedHashMap<>();
        valueSchemaVersions().forEach((topic, versions) -> schemas.put(topic, versions.get(versions.size() - 1)));
        return schemas;
    }

    /**
     * Every version each topic's value subject holds, oldest first, to be registered in that order
     * (each is {@code BACKWARD} compatible with the one before). The requests topic has two:
     * {@code Request}, then the {@link RequestsValue#SCHEMA union} that adds batches; so have the
     * txn-protocol topic ({@link ProtocolValue}) and the results topic ({@link ResultsValue}).
     */
    public Map<String, List<Schema>> valueSchemaVersions() {
        Map<String, List<Schema>> schemas = new LinkedHashMap<>();
        schemas.put(requests(), RequestsValue.versions());
        schemas.put(txnProtocol(), ProtocolValue.versions());
        schemas.put(results(), ResultsValue.versions());
        latestOnly().forEach((topic, schema) -> schemas.put(topic, List.of(schema)));
        return schemas;
    }

    private Map<String, Schema> latestOnly() {
        Map<String, Schema> schemas = new LinkedHashMap<>();
        schemas.put(changes(), ChangeEvent.getClassSchema());
        schemas.put(heartbeats(), Heartbeat.getClassSchema());
        schemas.put(deadLetters(), DeadLetter.getClassSchema());
        return schemas;
    }

    @Override
    public String toString() {
        return "Topics(" + prefix + "*)";
    }
}
