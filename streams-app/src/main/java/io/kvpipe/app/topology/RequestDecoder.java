package io.kvpipe.app.topology;

import io.kvpipe.avro.DeadLetterReason;
import io.kvpipe.avro.Request;
import io.kvpipe.schemas.registry.SchemaRegistryClient;
import io.kvpipe.schemas.registry.SchemaRegistryException;
import io.kvpipe.schemas.serde.AvroDeserializer;
import io.kvpipe.schemas.serde.UnknownSchemaException;
import java.nio.charset.CharacterCodingException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Turns a requests-topic record's raw bytes into a {@link Request}, or says why it cannot.
 *
 * <ul>
 *   <li>The key is the routing key: UTF-8 text, or absent (null). Bytes that are not valid UTF-8 are
 *       {@code UNDECODABLE}. Where the request goes is decided by its operations' keys, not by the
 *       routing key, so a null routing key is accepted.</li>
 *   <li>The value is a {@code Request} in the Confluent wire format. A null value (tombstone), bytes
 *       without the 5-byte header, a wrong magic byte, or Avro that does not decode into a
 *       {@code Request} are {@code UNDECODABLE}; a schema id the registry does not know is
 *       {@code UNKNOWN_SCHEMA}.</li>
 *   <li>A registry that cannot be reached (or answers with another error) is not bad input:
 *       {@link SchemaRegistryUnavailableException} is thrown so the record is retried.</li>
 * </ul>
 */
final class RequestDecoder {

    /** The outcome of decoding one record. */
    sealed interface Decoding permits Decoded, Undecodable {}

    /** A request and its routing key (null when the record had no key). */
    record Decoded(String routingKey, Request request) implements Decoding {}

    /** Bad input, to be dead-lettered. */
    record Undecodable(DeadLetterReason reason, String detail) implements Decoding {}

    private final AvroDeserializer<Request> requests;

    RequestDecoder(SchemaRegistryClient registry) {
        this.requests = new AvroDeserializer<>(registry, Request.class);
    }

    /**
     * @throws SchemaRegistryUnavailableException if the registry could not be asked about the schema id
     */
    Decoding decode(String topic, byte[] key, byte[] value) {
        String routingKey = null;
        if (key != null) {
            try {
                routingKey = Text.decodeUtf8Strictly(key);
            } catch (CharacterCodingException e) {
                return new Undecodable(DeadLetterReason.UNDECODABLE, "the record key is not valid UTF-8");
            }
        }
        if (value == null) {
            return new Undecodable(DeadLetterReason.UNDECODABLE, "the record has no value (a tombstone), not a Request");
        }
        Object decoded;
        try {
            decoded = requests.deserialize(topic, value);
        } catch (UnknownSchemaException e) {
            return new Undecodable(DeadLetterReason.UNKNOWN_SCHEMA, "the value names schema id " + e.schemaId()
                    + ", which does not resolve to a usable Avro schema: " + e.getCause().getMessage());
        } catch (SerializationException e) {
            SchemaRegistryException registryFailure = registryFailure(e);
            if (registryFailure != null) {
                throw new SchemaRegistryUnavailableException(
                        "The schema registry could not resolve the schema of a record of " + topic
                                + "; the record will be retried: " + registryFailure.getMessage(), e);
            }
            return new Undecodable(DeadLetterReason.UNDECODABLE, "the value is not a Request in the Confluent Avro "
                    + "wire format: " + e.getMessage());
        }
        if (!(decoded instanceof Request request)) {
            return new Undecodable(DeadLetterReason.UNDECODABLE, "the value decoded to "
                    + (decoded == null ? "null" : decoded.getClass().getName()) + ", not a Request");
        }
        return new Decoded(routingKey, request);
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
