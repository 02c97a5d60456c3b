package io.kvpipe.schemas.serde;

import io.kvpipe.schemas.registry.SchemaRegistryClient;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** A Kafka {@link Serde} for one generated Avro class in the Confluent wire format. */
public final class AvroSerde<T> implements Serde<T> {

    private final AvroSerializer<T> serializer;
    private final AvroDeserializer<T> deserializer;

    private AvroSerde(AvroSerializer<T> serializer, AvroDeserializer<T> deserializer) {
        this.serializer = serializer;
        this.deserializer = deserializer;
    }

    /** Values of {@code type}, sharing {@code registry} (which the caller owns and closes). */
    public static <T> AvroSerde<T> forValues(Class<T> type, SchemaRegistryClient registry) {
        return new AvroSerde<>(new AvroSerializer<>(registry, false), new AvroDeserializer<>(registry, type));
    }

    /** Keys of {@code type}, sharing {@code registry} (which the caller owns and closes). */
    public static <T> AvroSerde<T> forKeys(Class<T> type, SchemaRegistryClient registry) {
        return new AvroSerde<>(new AvroSerializer<>(registry, true), new AvroDeserializer<>(registry, type));
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        serializer.configure(configs, isKey);
        deserializer.configure(configs, isKey);
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }
}
