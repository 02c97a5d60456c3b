package io.kvpipe.schemas.registry;

import org.apache.avro.Schema;

/**
 * The narrow slice of a Confluent-compatible schema registry that the serdes need.
 *
 * <p>Kept this small on purpose: Confluent's own client is not on Maven Central, so ours stands in
 * for it, and anything that implements these three calls (Confluent's client behind an adapter, a
 * mock in a test) can replace it.
 *
 * <p>Implementations are thread-safe and cache what they learn: a schema id never changes its
 * schema, so lookups by id are served from memory after the first.
 */
public interface SchemaRegistryClient extends AutoCloseable {

    /**
     * Registers {@code schema} under {@code subject} (idempotent: registering the same schema again
     * returns the same id) and returns its global id.
     *
     * @throws SchemaRegistryException if the registry refuses the schema (for example as
     *     incompatible with the subject's earlier versions, error code 409) or cannot be reached
     */
    int register(String subject, Schema schema);

    /**
     * Returns the id of {@code schema} already registered under {@code subject}, without
     * registering it (what a serializer with {@code auto.register.schemas=false} does).
     *
     * @throws SchemaRegistryException with error code 40401 (subject not found) or 40403 (schema
     *     not found) if it is not registered there, or if the registry cannot be reached
     */
    int idOf(String subject, Schema schema);

    /**
     * Returns the schema with the given global id.
     *
     * @throws SchemaRegistryException with error code 40403 if no schema has that id, or if the
     *     registry cannot be reached
     */
    Schema schemaById(int id);

    /** Releases connections; the client must not be used afterwards. */
    @Override
    void close();
}
