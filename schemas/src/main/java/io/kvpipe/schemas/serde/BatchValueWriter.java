package io.kvpipe.schemas.serde;

import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.Request;
import io.kvpipe.schemas.RequestsValue;
import io.kvpipe.schemas.ResultsValue;
import io.kvpipe.schemas.registry.SchemaRegistryClient;
import io.kvpipe.schemas.registry.SchemaRegistryException;
import java.io.IOException;
import java.util.List;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Writes the values of a topic whose schema is a union of one record and a batch of them (requests,
 * {@link RequestsValue}; outcomes, {@link ResultsValue}) in the Confluent wire format, from items
 * encoded once: {@link #encode} gives an item's Avro binary, {@link #single} frames one alone
 * (union branch 0) and {@link #batch} several as the batch record (branch 1), whose one field is
 * the array of items. An Avro array is its item count followed by the items, so a batch is built
 * by concatenation, and its size is known exactly before it is built ({@link #batchSize}).
 *
 * <p>The union's schema id is registered (or, with {@code autoRegister} false, looked up) under
 * {@code <topic>-value} on first use. Thread-safe.
 *
 * @param <T> the item: {@link Request} or {@link Outcome}
 */
public final class BatchValueWriter<T> {

    static {
        TrustedAvroClasses.ensure();
    }

    /** The union branch of one item alone. */
    public static final int SINGLE_BRANCH = 0;

    /** The union branch of a batch. */
    public static final int BATCH_BRANCH = 1;

    private static final ThreadLocal<Buffer> BUFFERS = ThreadLocal.withInitial(Buffer::new);

    private final SpecificDatumWriter<T> writer;
    private final Function<T, String> name;
    private final Schema union;
    private final SchemaRegistryClient registry;
    private final String subject;
    private final boolean autoRegister;
    private volatile int unionId = -1;

    private BatchValueWriter(Class<T> item, Function<T, String> name, Schema union, SchemaRegistryClient registry,
                             String topic, boolean autoRegister) {
        this.writer = new SpecificDatumWriter<>(item);
        this.name = name;
        this.union = union;
        this.registry = registry;
        this.subject = SubjectNames.of(topic, false);
        this.autoRegister = autoRegister;
    }

    /** Writes requests-topic values ({@link RequestsValue}) to {@code topic}. */
    public static BatchValueWriter<Request> forRequests(SchemaRegistryClient registry, String topic,
                                                        boolean autoRegister) {
        return new BatchValueWriter<>(Request.class, r -> "request " + r.getRequestId(), RequestsValue.SCHEMA,
                registry, topic, autoRegister);
    }

    /** Writes results-topic values ({@link ResultsValue}) to {@code topic}. */
    public static BatchValueWriter<Outcome> forOutcomes(SchemaRegistryClient registry, String topic,
                                                        boolean autoRegister) {
        return new BatchValueWriter<>(Outcome.class, o -> "the outcome of request " + o.getRequestId(),
                ResultsValue.SCHEMA, registry, topic, autoRegister);
    }

    /**
     * The item's Avro binary (no header).
     *
     * @throws SerializationException if it cannot be encoded
     */
    public byte[] encode(T item) {
        Buffer buffer = BUFFERS.get();
        buffer.out.reset();
        try {
            buffer.encoder = EncoderFactory.get().directBinaryEncoder(buffer.out, buffer.encoder);
            writer.write(item, buffer.encoder);
            buffer.encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Could not encode " + name.apply(item) + ": " + e, e);
        }
        byte[] bytes = buffer.out.toByteArray();
        if (bytes.length > 1 << 20) {
            BUFFERS.remove(); // do not keep a huge buffer per thread
        }
        return bytes;
    }

    /**
     * Resolves the schema id now (a client checks its registry at start this way).
     *
     * @throws SerializationException if the registry does not give it
     */
    public void resolveSchemaIds() {
        unionSchemaId();
    }

    /** One encoded item alone (union branch {@link #SINGLE_BRANCH}). */
    public byte[] single(byte[] encodedItem) {
        int id = unionSchemaId();
        byte[] value = new byte[singleSize(encodedItem.length)];
        header(value, id);
        int at = writeLong(value, WireFormat.HEADER_SIZE, SINGLE_BRANCH);
        System.arraycopy(encodedItem, 0, value, at, encodedItem.length);
        return value;
    }

    /** Encoded items as one batch value (union branch {@link #BATCH_BRANCH}). */
    public byte[] batch(List<byte[]> encodedItems) {
        int id = unionSchemaId();
        int bodies = 0;
        for (byte[] body : encodedItems) {
            bodies += body.length;
        }
        byte[] value = new byte[batchSize(encodedItems.size(), bodies)];
        header(value, id);
        int at = WireFormat.HEADER_SIZE;
        at = writeLong(value, at, BATCH_BRANCH);
        at = writeLong(value, at, encodedItems.size());
        for (byte[] body : encodedItems) {
            System.arraycopy(body, 0, value, at, body.length);
            at += body.length;
        }
        value[at++] = 0; // the array's end block
        if (at != value.length) {
            throw new IllegalStateException("batch size miscomputed: " + at + " != " + value.length);
        }
        return value;
    }

    /** The size of a batch value of {@code count} items whose encodings total {@code bodyBytes}. */
    public static int batchSize(int count, int bodyBytes) {
        return WireFormat.HEADER_SIZE + longSize(BATCH_BRANCH) + longSize(count) + bodyBytes + 1;
    }

    /** The size of a single-item value whose encoding is {@code bodyBytes}. */
    public static int singleSize(int bodyBytes) {
        return WireFormat.HEADER_SIZE + longSize(SINGLE_BRANCH) + bodyBytes;
    }

    private int unionSchemaId() {
        int id = unionId;
        if (id < 0) {
            id = unionId = schemaId(union);
        }
        return id;
    }

    private int schemaId(Schema schema) {
        try {
            return autoRegister ? registry.register(subject, schema) : registry.idOf(subject, schema);
        } catch (SchemaRegistryException e) {
            throw new SerializationException((autoRegister ? "Could not register" : "Could not look up")
                    + " the schema of subject " + subject + ": " + e.getMessage(), e);
        }
    }

    private static void header(byte[] value, int schemaId) {
        value[0] = WireFormat.MAGIC_BYTE;
        value[1] = (byte) (schemaId >>> 24);
        value[2] = (byte) (schemaId >>> 16);
        value[3] = (byte) (schemaId >>> 8);
        value[4] = (byte) schemaId;
    }

    /** Avro's long: zig-zag, then 7 bits per byte, low first. */
    private static int writeLong(byte[] out, int at, long n) {
        long v = (n << 1) ^ (n >> 63);
        while ((v & ~0x7FL) != 0) {
            out[at++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out[at++] = (byte) v;
        return at;
    }

    private static int longSize(long n) {
        long v = (n << 1) ^ (n >> 63);
        int size = 1;
        while ((v & ~0x7FL) != 0) {
            size++;
            v >>>= 7;
        }
        return size;
    }

    private static final class Buffer {
        final ByteSink out = new ByteSink(256);
        BinaryEncoder encoder;
    }
}
