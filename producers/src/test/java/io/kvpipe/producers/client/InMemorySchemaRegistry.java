package io.kvpipe.producers.client;

import io.kvpipe.schemas.registry.SchemaRegistryClient;
import io.kvpipe.schemas.registry.SchemaRegistryException;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;

/** A registry test double: global ids from 1; can be switched to fail like an unreachable one. */
final class InMemorySchemaRegistry implements SchemaRegistryClient {

    private final Map<Schema, Integer> ids = new HashMap<>();
    private final Map<Integer, Schema> schemas = new HashMap<>();
    private volatile boolean unreachable;

    void unreachable(boolean unreachable) {
        this.unreachable = unreachable;
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        check();
        return ids.computeIfAbsent(schema, s -> {
            int next = ids.size() + 1;
            schemas.put(next, s);
            return next;
        });
    }

    @Override
    public synchronized int idOf(String subject, Schema schema) {
        check();
        Integer id = ids.get(schema);
        if (id == null) {
            throw new SchemaRegistryException("Schema not found", SchemaRegistryException.SCHEMA_NOT_FOUND);
        }
        return id;
    }

    @Override
    public synchronized Schema schemaById(int id) {
        check();
        Schema schema = schemas.get(id);
        if (schema == null) {
            throw new SchemaRegistryException("Schema " + id + " not found", SchemaRegistryException.SCHEMA_NOT_FOUND);
        }
        return schema;
    }

    private void check() {
        if (unreachable) {
            throw new SchemaRegistryException("no schema registry answered", SchemaRegistryException.NO_ERROR_CODE);
        }
    }

    @Override
    public void close() {}
}
