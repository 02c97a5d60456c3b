package io.kvpipe.app.topology;

import io.kvpipe.avro.DeadLetterReason;
import io.kvpipe.avro.Request;
import io.kvpipe.avro.RequestBatch;
import io.kvpipe.schemas.RequestsValue;
import io.kvpipe.schemas.registry.SchemaRegistryClient;
import java.nio.charset.CharacterCodingException;
import java.util.List;

/**
 * Turns a requests-topic record's raw bytes into its {@link Request}s, or says why it cannot.
 *
 * <ul>
 *   <li>The key is the routing key: UTF-8 text, or absent (null). Bytes that are not valid UTF-8 are
 *       {@code UNDECODABLE}. Where the request goes is decided by its operations' keys, not by the
 *       routing key, so a null routing key is accepted.</li>
 *   <li>The value is a {@code Request} or a {@code RequestBatch} in the Confluent wire format, read
 *       with the {@link RequestsValue#SCHEMA union} as reader schema (so a plain {@code Request},
 *       written with the subject's first version, and anything written with the union both decode).
 *       A null value (tombstone), bytes without the 5-byte header, a wrong magic byte, or Avro that
 *       does not decode into either are {@code UNDECODABLE}; a schema id the registry does not know
 *       is {@code UNKNOWN_SCHEMA}.</li>
 *   <li>A registry that cannot be reached (or answers with another error) is not bad input:
 *       {@link SchemaRegistryUnavailableException} is thrown so the record is retried.</li>
 * </ul>
 */
final class RequestDecoder {

    /** The outcome of decoding one record. */
    sealed interface Decoding permits Decoded, Undecodable {}

    /**
     * The requests of a record, in order, and its routing key (null when the record had no key).
     * {@code batch} says whether the value was a {@code RequestBatch} (possibly of one, or empty).
     */
    record Decoded(String routingKey, List<Request> requests, boolean batch) implements Decoding {}

    /** Bad input, to be dead-lettered. */
    record Undecodable(DeadLetterReason reason, String detail) implements Decoding {}

    private final UnionValueReader values;

    RequestDecoder(SchemaRegistryClient registry) {
        this.values = new UnionValueReader(registry, RequestsValue.SCHEMA, "a Request", "a Request or a RequestBatch");
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
        UnionValueReader.Read read = values.read(topic, value);
        if (read instanceof UnionValueReader.Bad bad) {
            return new Undecodable(bad.reason(), bad.detail());
        }
        Object decoded = ((UnionValueReader.Value) read).datum();
        if (decoded instanceof Request request) {
            return new Decoded(routingKey, List.of(request), false);
        }
        if (decoded instanceof RequestBatch batch) {
            return new Decoded(routingKey, batch.getRequests(), true);
        }
        return new Undecodable(DeadLetterReason.UNDECODABLE, "the value decoded to "
                + (decoded == null ? "null" : decoded.getClass().getName()) + ", not a Request or a RequestBatch");
    }
}
