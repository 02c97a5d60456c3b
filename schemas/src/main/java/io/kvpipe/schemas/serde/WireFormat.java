package io.kvpipe.schemas.serde;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The Confluent Schema Registry wire format: one magic byte {@code 0}, the schema id as a 4-byte
 * big-endian integer, then the Avro binary encoding of the datum.
 */
public final class WireFormat {

    /** The first byte of every framed record. */
    public static final byte MAGIC_BYTE = 0x0;

    /** Magic byte plus schema id. */
    public static final int HEADER_SIZE = 5;

    private WireFormat() {}

    /** Writes the header for {@code schemaId} into {@code out}. */
    static void writeHeader(ByteBuffer out, int schemaId) {
        out.put(MAGIC_BYTE).putInt(schemaId);
    }

    /**
     * Reads the schema id from a framed record, leaving {@code in} positioned at the Avro payload.
     *
     * @throws SerializationException if the bytes are too short or do not start with the magic byte
     */
    public static int readSchemaId(ByteBuffer in) {
        if (in.remaining() < HEADER_SIZE) {
            throw new SerializationException(
                    "Not in the Confluent wire format: " + in.remaining() + " bytes, fewer than the 5-byte header");
        }
        byte magic = in.get();
        if (magic != MAGIC_BYTE) {
            throw new SerializationException(
                    "Not in the Confluent wire format: unknown magic byte " + magic + " (expected 0)");
        }
        return in.getInt();
    }
}
