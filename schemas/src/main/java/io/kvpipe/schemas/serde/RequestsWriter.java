package io.kvpipe.schemas.serde;

import io.kvpipe.avro.Request;
import io.kvpipe.schemas.RequestsValue;
import io.kvpipe.schemas.registry.SchemaRegistryClient;
import io.kvpipe.schemas.registry.SchemaRegistryException;
import java.io.IOException;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Writes requests-topic values ({@link RequestsValue}) in the Confluent wire format from requests
 * encoded once: {@link #encode} gives a request's Avro binary, {@link #single} frames one alone and
 * {@link #batch} several as a {@code RequestBatch}, both under the union schema (branch 0 and 1).
 * An Avro array is its item count followed by the items, so a batch is built by concatenation, and
 * its size is known exactly before it is built ({@link #batchSize}).
 *
 * <p>The union's schema id is registered (or, with {@code autoRegister} false, looked up) under
 * {@code <topic>-value} on first use. Thread-safe.
 */
public final class RequestsWriter {

    static {
        TrustedAvroClasses.ensure();
    }

    private static final SpecificDatumWriter<Request> WRITER = new SpecificDatumWriter<>(Request.class);
    private static final ThreadLocal<Buffer> BUFFERS = ThreadLocal.withInitial(Buffer::new);

    private final SchemaRegistryClient registry;
    private final String subject;
    private final boolean autoRegister;
    private volatile int unionId = -1;

    public RequestsWriter(SchemaRegistryClient registry, String topic, boolean autoRegister) {
        this.registry = registry;
        this.subject = SubjectNames.of(topic, false);
        this.autoRegister = autoRegister;
    }

    /**
     * The request's Avro binary (no header).
     *
     * @throws SerializationException if it cannot be encoded
     */
    public byte[] encode(Request request) {
        Buffer buffer = BUFFERS.get();
        buffer.out.reset();
        try {
            buffer.encoder = EncoderFactory.get().directBinaryEncoder(buffer.out, buffer.encoder);
            WRITER.write(request, buffer.encoder);
            buffer.encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Could not encode request " + request.getRequestId() + ": " + e, e);
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

    /** One encoded request alone (union branch {@link RequestsValue#REQUEST_BRANCH}). */
    public byte[] single(byte[] encodedRequest) {
        int id = unionSchemaId();
        byte[] value = new byte[singleSize(encodedRequest.length)];
        header(value, id);
        int at = writeLong(value, WireFormat.HEADER_SIZE, RequestsValue.REQUEST_BRANCH);
        System.arraycopy(encodedRequest, 0, value, at, encodedRequest.length);
        return value;
    }

    /** Encoded requests as one {@code RequestBatch} value (union branch {@link RequestsValue#BATCH_BRANCH}). */
    public byte[] batch(List<byte[]> encodedRequests) {
        int id = unionSchemaId();
        int bodies = 0;
        for (byte[] body : encodedRequests) {
            bodies += body.length;
        }
        byte[] value = new byte[batchSize(encodedRequests.size(), bodies)];
        header(value, id);
        int at = WireFormat.HEADER_SIZE;
        at = writeLong(value, at, RequestsValue.BATCH_BRANCH);
        at = writeLong(value, at, encodedRequests.size());
        for (byte[] body : encodedRequests) {
            System.arraycopy(body, 0, value, at, body.length);
            at += body.length;
        }
        value[at++] = 0; // the array's end block
        if (at != value.length) {
            throw new IllegalStateException("batch size miscomputed: " + at + " != " + value.length);
        }
        return value;
    }

    /** The size of a batch value of {@code count} requests whose encodings total {@code bodyBytes}. */
    public static int batchSize(int count, int bodyBytes) {
        return WireFormat.HEADER_SIZE + longSize(RequestsValue.BATCH_BRANCH) + longSize(count) + bodyBytes + 1;
    }

    /** The size of a single-request value whose encoding is {@code bodyBytes}. */
    public static int singleSize(int bodyBytes) {
        return WireFormat.HEADER_SIZE + longSize(RequestsValue.REQUEST_BRANCH) + bodyBytes;
    }

    private int unionSchemaId() {
        int id = unionId;
        if (id < 0) {
            id = unionId = schemaId(RequestsValue.SCHEMA);
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
