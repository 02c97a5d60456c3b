package io.kvpipe.app.registry;

/**
 * What the registry writes to, and replays from, its {@link SchemaLog}: Confluent's {@code
 * _schemas} records, decoded. {@link SchemasTopicFormat} maps them to and from the topic's JSON.
 */
sealed interface LogRecord {

    /** A version registered, or rewritten as soft-deleted (a SCHEMA key with a value). */
    record VersionPut(SchemaVersion version) implements LogRecord {}

    /** A version deleted permanently (a SCHEMA key's tombstone). */
    record VersionRemoved(String subject, int version) implements LogRecord {}

    /** A compatibility level set for a subject, or globally when {@code subject} is null. */
    record LevelPut(String subject, CompatibilityLevel level) implements LogRecord {}

    /** A compatibility level removed (a CONFIG key's tombstone); null subject: the global one. */
    record LevelRemoved(String subject) implements LogRecord {}

    /** Confluent's DELETE_SUBJECT record: versions up to {@code version} are soft-deleted. */
    record SubjectDeleted(String subject, int version) implements LogRecord {}

    /**
     * A schema of another type (Protobuf, JSON Schema) written by a Confluent registry: not
     * served here, but its id stays taken.
     */
    record ForeignSchema(String subject, int version, int id, String schemaType) implements LogRecord {}

    /** Any other key type (NOOP, MODE, CLEAR_SUBJECT...): nothing this registry keeps. */
    record Ignored(String keyType) implements LogRecord {}
}
