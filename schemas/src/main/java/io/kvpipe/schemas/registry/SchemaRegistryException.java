package io.kvpipe.schemas.registry;

/**
 * A schema registry call that failed, with the registry's own error code where it gave one
 * (Confluent codes: 40401 subject not found, 40402 version not found, 40403 schema not found,
 * 409 incompatible, 42201 invalid schema, 50001 storage error...), or {@link #NO_ERROR_CODE} when the
 * registry could not be reached or answered something that is not a registry error body.
 */
public class SchemaRegistryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The registry gave no error code (unreachable, or not a registry answer). */
    public static final int NO_ERROR_CODE = -1;

    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;
    public static final int INCOMPATIBLE_SCHEMA = 409;
    public static final int INVALID_SCHEMA = 42201;
    public static final int INVALID_VERSION = 42202;
    public static final int INVALID_COMPATIBILITY_LEVEL = 42203;

    private final int errorCode;

    public SchemaRegistryException(String message, int errorCode) {
        super(message);
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(String message, Throwable cause) {
        super(message, cause);
        this.errorCode = NO_ERROR_CODE;
    }

    /** The registry's error code, or {@link #NO_ERROR_CODE}. */
    public int errorCode() {
        return errorCode;
    }
}
