package io.kvpipe.producers.partitioner.internals;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Bytes;

/**
 * The bytes a key object is hashed over, independent of any serializer.
 *
 * <p>Routing by the key's own bytes rather than by the serializer's output keeps a key on the same
 * partition whatever the wire format (for example a Confluent-framed Avro string carries a schema
 * id that changes with the schema version).
 */
public final class KeyBytes {

    private KeyBytes() {
    }

    /**
     * Returns the routing bytes of a key: the UTF-8 encoding of a {@link CharSequence} (String,
     * Avro {@code Utf8}, ...), the array itself for {@code byte[]}, the wrapped array for Kafka's
     * {@link Bytes}; {@code null} for a null key or any other type.
     *
     * @param key the key object, may be null
     * @return the bytes to hash, or {@code null} if the key is null or of another type
     */
    public static byte[] of(Object key) {
        if (key instanceof byte[] bytes) {
            return bytes;
        }
        if (key instanceof Bytes bytes) {
            return bytes.get();
        }
        if (key instanceof CharSequence chars) {
            // String.getBytes replaces unpaired surrogates with '?', as Kafka's StringSerializer does.
            return chars.toString().getBytes(StandardCharsets.UTF_8);
        }
        return null;
    }
}
