package io.kvpipe.app.registry;

/**
 * One version of a subject: its global schema id, the schema text as stored (Avro's canonical JSON
 * rendering, {@code Schema.toString()}), and whether it was soft-deleted.
 */
record SchemaVersion(String subject, int version, int id, String schema, boolean deleted) {

    SchemaVersion softDeleted() {
        return new SchemaVersion(subject, version, id, schema, true);
    }
}
