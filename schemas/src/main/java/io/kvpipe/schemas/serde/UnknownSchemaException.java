package io.kvpipe.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A framed record names a schema id that does not resolve to a usable Avro schema: the registry
 * does not know it, or it is another schema type, has references, or does not parse. Asking again
 * will not help, unlike an unreachable registry; kept apart from other deserialization failures so
 * that a processor can dead-letter it with its own reason.
 */
public class UnknownSchemaException extends SerializationException {

    private static final long serialVersionUID = 1L;

    private final int schemaId;

    public UnknownSchemaException(int schemaId, Throwable cause) {
        super("Unknown schema id " + schemaId + ": " + cause.getMessage(), cause);
        this.schemaId = schemaId;
    }

    /** The id the record carried. */
    public int schemaId() {
        return schemaId;
    }
}
