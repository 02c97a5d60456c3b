package io.kvpipe.schemas.testing;

import io.kvpipe.schemas.registry.SchemaRegistryClient;
import io.kvpipe.schemas.registry.SchemaRegistryException;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * A registry test double shared by every module's tests (the schemas test-jar): global ids from 1,
 * the same schema gets the same id in any subject. {@link #unreachable(boolean)} makes every call
 * fail as an unreachable registry does (no error code).
 */
public class InMemorySchemaRegistry implements SchemaRegistryClient {

    private final Map<Schema, Integer> ids = new HashMap<>();
    private final Map<Integer, Schema> schemas = new HashMap<>();
    private final Map<String, Map<Schema, Integer>> subjects = new HashMap<>();
    private volatile boolean unreachable;

    private final java.util.Set<Integer> unusable = new java.util.HashSet<>();

    /** Makes {@code id} resolve, as a registry holding a Protobuf schema under it would, to no usable Avro schema. */
    public synchronized void unusable(int id) {
        unusable.add(id);
    }

    public void unreachable(boolean unreachable) {
        this.unreachable = unreachable;
    }

    private void reach() {
        if (unreachable) {
            throw new SchemaRegistryException("Could not reach the schema registry",
                    new IOException("Connection refused"));
        }
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        reach();
        int id = ids.computeIfAbsent(schema, s -> {
            int next = ids.size() + 1;
            schemas.put(next, s);
            return next;
        });
        subjects.computeIfAbsent(subject, s -> new HashMap<>()).put(schema, id);
        return id;
    }

    @Override
    public synchronized int idOf(String subject, Schema schema) {
        reach();
        Integer id = subjects.getOrDefault(subject, Map.of()).get(schema);
        if (id == null) {
            throw new SchemaRegistryException("Schema not found", SchemaRegistryException.SCHEMA_NOT_FOUND);
        }
        return id;
    }

    @Override
    public synchronized Schema schemaById(int id) {
        reach();
        if (unusable.contains(id)) {
            throw new io.kvpipe.schemas.registry.UnusableSchemaException("schema " + id + " is a PROTOBUF schema, not an Avro one");
        }
        Schema schema = schemas.get(id);
        if (schema == null) {
            throw new SchemaRegistryException("Schema " + id + " not found", SchemaRegistryException.SCHEMA_NOT_FOUND);
        }
        return schema;
    }

    public synchronized boolean hasSubject(String subject) {
        return subjects.containsKey(subject);
    }

    @Override
    public void close() {}
}
