package io.kvpipe.schemas.serde;

import io.kvpipe.schemas.registry.RestSchemaRegistryClient;
import io.kvpipe.schemas.registry.SchemaRegistryClient;
import io.kvpipe.schemas.registry.SchemaRegistryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.Utf8;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Avro data in the Confluent wire format. The writer's schema is fetched by the id in the
 * record and resolved against the reader's (a generated class's schema when one is given or
 * {@code specific.avro.reader=true}), so data written with an older compatible schema reads fine.
 *
 * <p>Failures are {@link SerializationException}s: {@link UnknownSchemaException} when the
 * registry does not know the id, a plain one for bytes that are not in the wire format or not
 * valid Avro for their schema.
 */
public class AvroDeserializer<T> implements Deserializer<T> {

    static {
        TrustedAvroClasses.ensure();
    }

    /** Decode into generated classes (true) rather than {@code GenericRecord}s (false, default). */
    public static final String SPECIFIC_AVRO_READER = "specific.avro.reader";

    private final Map<Integer, DatumReader<Object>> readers = new ConcurrentHashMap<>();
    private SchemaRegistryClient registry;
    private Schema readerSchema;
    private boolean specific;
    private boolean ownsRegistry;

    /** For Kafka's reflective construction; {@link #configure} then builds the registry client. */
    public AvroDeserializer() {}

    /** Reads into {@code type}'s schema with a registry client the caller owns (and closes). */
    public AvroDeserializer(SchemaRegistryClient registry, Class<T> type) {
        this.registry = registry;
        this.readerSchema = SpecificData.get().getSchema(type);
        this.specific = SpecificRecord.class.isAssignableFrom(type);
    }

    /**
     * Reads into {@code readerSchema} (a union of generated records, for example) with generated
     * classes, and a registry client the caller owns (and closes).
     */
    public AvroDeserializer(SchemaRegistryClient registry, Schema readerSchema) {
        this.registry = registry;
        this.readerSchema = readerSchema;
        this.specific = true;
    }

    /** Reads generically, each record with its writer's schema. */
    public AvroDeserializer(SchemaRegistryClient registry) {
        this.registry = registry;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        Object specificReader = configs.get(SPECIFIC_AVRO_READER);
        if (specificReader != null) {
            specific = specific || Boolean.parseBoolean(specificReader.toString());
        }
        if (registry == null) {
            registry = RestSchemaRegistryClient.fromConfig(configs);
            ownsRegistry = true;
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        if (registry == null) {
            throw new IllegalStateException("AvroDeserializer used before configure() and without a registry client");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        int id = WireFormat.readSchemaId(buffer);
        DatumReader<Object> reader;
        try {
            reader = readerFor(id);
        } catch (SerializationException e) {
            throw e;
        } catch (RuntimeException e) {
            // e.g. a generated class that cannot be loaded for the writer's schema
            throw new SerializationException("Could not build a reader for schema id " + id + ": " + e, e);
        }
        try {
            Object datum = reader.read(null, DecoderFactory.get()
                    .binaryDecoder(bytes, buffer.position(), buffer.remaining(), null));
            // Confluent's deserializer hands out java.lang.String for a top-level string schema.
            return (T) (datum instanceof Utf8 ? datum.toString() : datum);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Could not decode a record of topic " + topic + " with schema id "
                    + id + ": " + e, e);
        }
    }

    private DatumReader<Object> readerFor(int id) {
        DatumReader<Object> reader = readers.get(id);
        if (reader != null) {
            return reader;
        }
        Schema writer;
        try {
            writer = registry.schemaById(id);
        } catch (SchemaRegistryException e) {
            if (isPermanent(e)) {
                throw new UnknownSchemaException(id, e);
            }
            throw new SerializationException("Could not fetch schema id " + id + ": " + e.getMessage(), e);
        }
        Schema reading = readerSchema != null ? readerSchema : readerFromWriter(writer);
        reader = specific ? new SpecificDatumReader<>(writer, reading) : new GenericDatumReader<>(writer, reading);
        readers.put(id, reader);
        return reader;
    }

    /**
     * Whether asking again cannot help: the id is unknown (404 family), refused as invalid (422
     * family), or names a schema no Avro reader can use. Unreachable registries, 5xx answers and
     * authorization failures are transient or operational, and must not turn records into dead letters.
     */
    private static boolean isPermanent(SchemaRegistryException e) {
        int code = e.errorCode();
        return e instanceof io.kvpipe.schemas.registry.UnusableSchemaException
                || code == 404 || (code >= 40400 && code <= 40499)
                || code == 422 || (code >= 42200 && code <= 42299);
    }

    private Schema readerFromWriter(Schema writer) {
        if (specific && writer.getType() == Schema.Type.RECORD) {
            Class<?> generated = SpecificData.get().getClass(writer);
            if (generated != null) {
                return SpecificData.get().getSchema(generated);
            }
        }
        return writer;
    }

    @Override
    public void close() {
        if (ownsRegistry) {
            registry.close();
        }
    }
}
