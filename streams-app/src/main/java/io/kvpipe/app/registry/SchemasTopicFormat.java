package io.kvpipe.app.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Confluent's {@code _schemas} topic format: JSON keys and values, so a topic written here reads
 * in a Confluent registry and the other way round.
 *
 * <pre>
 * SCHEMA key   {"keytype":"SCHEMA","subject":"s","version":1,"magic":1}
 *        value {"subject":"s","version":1,"id":1,"schema":"...","deleted":false}  (null: permanent delete)
 * CONFIG key   {"keytype":"CONFIG","subject":"s","magic":0}   (no subject: the global level)
 *        value {"compatibilityLevel":"FULL"}                    (null: level removed)
 * </pre>
 *
 * <p>Keys are written with a fixed field order, so the same logical key always has the same bytes
 * and compaction keeps only its latest value.
 */
final class SchemasTopicFormat {

    /** A topic record: JSON key, JSON value or null for a tombstone. */
    record Entry(String key, String value) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private SchemasTopicFormat() {}

    /**
     * The topic record for {@code record}.
     *
     * @throws IllegalArgumentException for record kinds this registry only reads, never writes
     */
    static Entry encode(LogRecord record) {
        if (record instanceof LogRecord.VersionPut put) {
            SchemaVersion v = put.version();
            ObjectNode value = JSON.createObjectNode()
                    .put("subject", v.subject())
                    .put("version", v.version())
                    .put("id", v.id())
                    .put("schema", v.schema())
                    .put("deleted", v.deleted());
            return new Entry(schemaKey(v.subject(), v.version()), write(value));
        }
        if (record instanceof LogRecord.VersionRemoved removed) {
            return new Entry(schemaKey(removed.subject(), removed.version()), null);
        }
        if (record instanceof LogRecord.LevelPut put) {
            ObjectNode value = JSON.createObjectNode().put("compatibilityLevel", put.level().name());
            return new Entry(configKey(put.subject()), write(value));
        }
        if (record instanceof LogRecord.LevelRemoved removed) {
            return new Entry(configKey(removed.subject()), null);
        }
        throw new IllegalArgumentException("this registry does not write " + record);
    }

    /**
     * The record a topic entry holds.
     *
     * @throws IllegalArgumentException if the key or value is not JSON of Confluent's format
     */
    static LogRecord decode(String key, String value) {
        JsonNode k = read(key, "key");
        String keyType = k.path("keytype").asText("");
        JsonNode subjectNode = k.get("subject");
        String subject = subjectNode == null || subjectNode.isNull() ? null : subjectNode.asText();
        switch (keyType) {
            case "SCHEMA": {
                int version = required(k, "version", key).asInt();
                if (value == null) {
                    return new LogRecord.VersionRemoved(subject, version);
                }
                JsonNode v = read(value, "value");
                String type = v.path("schemaType").asText("AVRO");
                int id = required(v, "id", value).asInt();
                if (!type.equals("AVRO")) {
                    return new LogRecord.ForeignSchema(subject, version, id, type);
                }
                return new LogRecord.VersionPut(new SchemaVersion(subject, version, id,
                        required(v, "schema", value).asText(), v.path("deleted").asBoolean(false)));
            }
            case "CONFIG": {
                if (value == null) {
                    return new LogRecord.LevelRemoved(subject);
                }
                String level = read(value, "value").path("compatibilityLevel").asText(null);
                // A Confluent config record may carry other settings and no level: nothing for us.
                return CompatibilityLevel.named(level)
                        .<LogRecord>map(l -> new LogRecord.LevelPut(subject, l))
                        .orElse(new LogRecord.Ignored(keyType));
            }
            case "DELETE_SUBJECT": {
                if (value == null) {
                    return new LogRecord.Ignored(keyType);
                }
                return new LogRecord.SubjectDeleted(subject,
                        required(read(value, "value"), "version", value).asInt());
            }
            default:
                return new LogRecord.Ignored(keyType);
        }
    }

    private static String schemaKey(String subject, int version) {
        return write(JSON.createObjectNode()
                .put("keytype", "SCHEMA")
                .put("subject", subject)
                .put("version", version)
                .put("magic", 1));
    }

    /** Like Confluent's, the global key omits the subject rather than writing null. */
    private static String configKey(String subject) {
        ObjectNode key = JSON.createObjectNode().put("keytype", "CONFIG");
        if (subject != null) {
            key.put("subject", subject);
        }
        return write(key.put("magic", 0));
    }

    private static JsonNode required(JsonNode node, String field, String json) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("'" + field + "' missing in " + json);
        }
        return value;
    }

    private static JsonNode read(String json, String what) {
        try {
            JsonNode node = json == null ? null : JSON.readTree(json);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("a _schemas " + what + " is not a JSON object: " + json);
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("a _schemas " + what + " is not JSON: " + json, e);
        }
    }

    private static String write(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render a _schemas record", e);
        }
    }
}
