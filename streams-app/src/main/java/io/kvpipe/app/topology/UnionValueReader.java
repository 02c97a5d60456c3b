package io.kvpipe.app.topology;

import io.kvpipe.avro.DeadLetterReason;
import io.kvpipe.schemas.registry.SchemaRegistryClient;
import io.kvpipe.schemas.registry.SchemaRegistryException;
import io.kvpipe.schemas.serde.AvroDeserializer;
import io.kvpipe.schemas.serde.UnknownSchemaException;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Reads the Confluent-framed Avro value of an input topic whose value schema is a union of
 * generated records (the requests and the protocol topics), telling bad input from an unreachable
 * registry: a tombstone, bytes that do not decode and an unknown schema id are {@link Bad} (to be
 * dead-lettered); a registry that cannot be asked throws {@link SchemaRegistryUnavailableException},
 * so the record is retried rather than dropped.
 */
final class UnionValueReader {

    /** What a value comes to. */
    sealed interface Read permits Value, Bad {}

    /** The decoded datum: one of the union's records. */
    record Value(Object datum) implements Read {}

    /** Bad input, with the dead-letter reason and detail. */
    record Bad(DeadLetterReason reason, String detail) implements Read {}

    private final AvroDeserializer<Object> values;
    private final String single;
    private final String any;

    /**
     * @param union  the topic's union schema, the reader schema
     * @param single the union's plain record, as details name it ("a Request")
     * @param any    every record the union holds, as details name them ("a Request or a RequestBatch")
     */
    UnionValueReader(SchemaRegistryClient registry, Schema union, String single, String any) {
        this.values = new AvroDeserializer<>(registry, union);
        this.single = single;
        this.any = any;
    }

    /**
     * @throws SchemaRegistryUnavailableException if the registry could not be asked about the schema id
     */
    Read read(String topic, byte[] value) {
        if (value == null) {
            return new Bad(DeadLetterReason.UNDECODABLE, "the record has no value (a tombstone), not " + single);
        }
        try {
            return new Value(values.deserialize(topic, value));
        } catch (UnknownSchemaException e) {
            return new Bad(DeadLetterReason.UNKNOWN_SCHEMA, "the value names schema id " + e.schemaId()
                    + ", which does not resolve to a usable Avro schema: " + e.getCause().getMessage());
        } catch (SerializationException e) {
            SchemaRegistryException registryFailure = registryFailure(e);
            if (registryFailure != null) {
                throw new SchemaRegistryUnavailableException(
                        "The schema registry could not resolve the schema of a record of " + topic
                                + "; the record will be retried: " + registryFailure.getMessage(), e);
            }
            return new Bad(DeadLetterReason.UNDECODABLE, "the value is not " + any + " in the "
                    + "Confluent Avro wire format: " + e.getMessage());
        }
    }

    /** The registry error behind a deserialization failure, if that is what it was. */
    private static SchemaRegistryException registryFailure(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SchemaRegistryException registryException) {
                return registryException;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return null;
    }
}
