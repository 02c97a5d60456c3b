package io.kvpipe.schemas.serde;

import io.kvpipe.schemas.registry.RestSchemaRegistryClient;
import io.kvpipe.schemas.registry.SchemaRegistryClient;
import io.kvpipe.schemas.registry.SchemaRegistryException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro data in the Confluent wire format, registering (or looking up) its schema under the
 * topic's subject ({@code <topic>-key} or {@code <topic>-value}), as Confluent's
 * {@code KafkaAvroSerializer} does. Takes generated records, {@code GenericRecord}s and primitives.
 *
 * <p>Configured by Kafka from {@code schema.registry.url} (and {@code auto.register.schemas},
 * default true), or built around a given {@link SchemaRegistryClient}. A {@code null} datum is
 * written as {@code null} (a tombstone).
 */
public class AvroSerializer<T> implements Serializer<T> {

    static {
        TrustedAvroClasses.ensure();
    }

    /** Register unseen schemas (true, the default) or only look up ones registered already. */
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";

    /**
     * Generated records with custom coders (Avro's generated {@code customEncode}) write their fields
     * directly instead of through the generic field accessors; the bytes are the same Avro binary.
     */
    private static final SpecificData CUSTOM_CODERS = customCoders();

    /** A thread keeps its buffer only while it holds at most this much. */
    private static final int MAX_KEPT_BUFFER = 1 << 20;

    /** A reusable output buffer and encoder per thread (serializers are shared by threads). */
    private static final ThreadLocal<Buffer> BUFFERS = ThreadLocal.withInitial(Buffer::new);

    private final Map<Schema, DatumWriter<Object>> writers = new ConcurrentHashMap<>();
    /** The last topic and schema serialized, with their id and writer: the common case costs no lookup. */
    private volatile Resolved last;
    private SchemaRegistryClient registry;
    private boolean ownsRegistry;
    private boolean autoRegister = true;
    private boolean isKey;
    /** The schema every datum is written with (a union), or null to write each with its own. */
    private Schema writerSchema;

    /** For Kafka's reflective construction; {@link #configure} then builds the registry client. */
    public AvroSerializer() {}

    /** Around a registry client the caller owns (and closes). */
    public AvroSerializer(SchemaRegistryClient registry, boolean isKey) {
        this.registry = registry;
        this.isKey = isKey;
    }

    /**
     * Around a registry client the caller owns, writing every datum with {@code writerSchema} (a
     * union of the generated records it may be given), whose id is the one registered for it.
     */
    public AvroSerializer(SchemaRegistryClient registry, boolean isKey, Schema writerSchema) {
        this(registry, isKey);
        this.writerSchema = writerSchema;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
        Object auto = configs.get(AUTO_REGISTER_SCHEMAS);
        if (auto != null) {
            autoRegister = Boolean.parseBoolean(auto.toString());
        }
        if (registry == null) {
            registry = RestSchemaRegistryClient.fromConfig(configs);
            ownsRegistry = true;
        }
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        if (registry == null) {
            throw new IllegalStateException("AvroSerializer used before configure() and without a registry client");
        }
        Schema schema = writerSchema != null ? writerSchema : AvroSchemas.of(data);
        Resolved resolved = last;
        if (resolved == null || resolved.schema != schema || !resolved.topic.equals(topic)) {
            resolved = new Resolved(topic, schema, schemaId(SubjectNames.of(topic, isKey), schema),
                    writerFor(schema, data));
            last = resolved;
        }
        Buffer buffer = BUFFERS.get();
        try {
            buffer.out.reset();
            int id = resolved.id;
            buffer.out.write(WireFormat.MAGIC_BYTE);
            buffer.out.write(id >>> 24);
            buffer.out.write(id >>> 16);
            buffer.out.write(id >>> 8);
            buffer.out.write(id);
            BinaryEncoder encoder = buffer.encoder = EncoderFactory.get().directBinaryEncoder(buffer.out, buffer.encoder);
            resolved.writer.write(data, encoder);
            encoder.flush();
            byte[] bytes = buffer.out.toByteArray();
            if (bytes.length > MAX_KEPT_BUFFER) {
                BUFFERS.remove(); // do not keep a huge buffer per thread
            }
            return bytes;
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Could not encode " + schema.getFullName() + " for topic " + topic
                    + ": " + e.getMessage(), e);
        }
    }

    private int schemaId(String subject, Schema schema) {
        try {
            return autoRegister ? registry.register(subject, schema) : registry.idOf(subject, schema);
        } catch (SchemaRegistryException e) {
            throw new SerializationException((autoRegister ? "Could not register" : "Could not look up")
                    + " the schema of subject " + subject + ": " + e.getMessage(), e);
        }
    }

    private DatumWriter<Object> writerFor(Schema schema, Object datum) {
        return writers.computeIfAbsent(schema, s -> datum instanceof SpecificRecord
                ? new SpecificDatumWriter<>(s, CUSTOM_CODERS)
                : new GenericDatumWriter<>(s));
    }

    private static SpecificData customCoders() {
        SpecificData data = new SpecificData();
        data.setCustomCoders(true);
        return data;
    }

    private record Resolved(String topic, Schema schema, int id, DatumWriter<Object> writer) {}

    private static final class Buffer {
        final ByteSink out = new ByteSink(256);
        BinaryEncoder encoder;
    }

    @Override
    public void close() {
        if (ownsRegistry) {
            registry.close();
        }
    }
}
