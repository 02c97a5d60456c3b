package io.kvpipe.schemas.registry;

/**
 * The registry answered with a schema for the id, but not one an Avro reader can use: another
 * schema type (Protobuf, JSON Schema), one with references, or one that does not parse. Asking
 * again will not change that, so a record carrying the id is bad input, not a transient failure.
 */
public class UnusableSchemaException extends SchemaRegistryException {

    private static final long serialVersionUID = 1L;

    public UnusableSchemaException(String message) {
        super(message, NO_ERROR_CODE);
    }
}
