package io.kvpipe.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;

/**
 * A {@link SchemaRegistryClient} for any Confluent-compatible schema registry, over its REST API.
 *
 * <p>Caches what it learns: (subject, schema) to id, and id to schema, both for the client's life
 * (an id never changes its schema, and a registered schema keeps its id). The caches are not
 * bounded: a process meets a handful of schemas, not millions.
 *
 * <p>Retries unreachable registries and 5xx answers a bounded number of times with backoff, trying
 * each configured URL in turn; 4xx answers (incompatible, not found...) fail at once with the
 * registry's error code. See {@link #fromConfig} for the settings.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {

    private final RegistryHttp http;
    private final ObjectMapper json = new ObjectMapper();
    private final ConcurrentMap<SubjectSchema, Integer> ids = new ConcurrentHashMap<>();
    private final ConcurrentMap<Integer, Schema> schemas = new ConcurrentHashMap<>();

    private RestSchemaRegistryClient(RegistryClientConfig config) {
        this.http = new RegistryHttp(config, json);
    }

    /**
     * A client configured with Confluent's client keys: {@code schema.registry.url} (required, a
     * comma-separated list tried in turn), {@code basic.auth.credentials.source} ({@code URL} by
     * default, or {@code USER_INFO} with {@code basic.auth.user.info=user:password}), and
     * optionally {@code max.retries} (default 2), {@code retries.wait.ms} (200), {@code
     * retries.max.wait.ms} (2000), {@code http.connect.timeout.ms} (10000) and {@code
     * http.read.timeout.ms} (30000). Other keys are ignored, so a whole serde config can be passed.
     *
     * @throws IllegalArgumentException if the URL is missing or malformed, a number is not one, or
     *     the credentials source is unsupported or lacks its user info
     */
    public static RestSchemaRegistryClient fromConfig(Map<String, ?> config) {
        return new RestSchemaRegistryClient(RegistryClientConfig.from(config));
    }

    /**
     * A client for the registry (or comma-separated registries) at {@code urls}, with default
     * settings.
     *
     * @throws IllegalArgumentException if a URL is malformed
     */
    public static RestSchemaRegistryClient forUrl(String urls) {
        return fromConfig(Map.of(RegistryClientConfig.URL, urls));
    }

    /**
     * {@inheritDoc}
     *
     * @throws SchemaRegistryException with the registry's error code when it refuses the schema
     *     (409 incompatible, 42201 invalid...), or {@link SchemaRegistryException#NO_ERROR_CODE}
     *     when no registry answers after the retries
     */
    @Override
    public int register(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer cached = ids.get(key);
        if (cached != null) {
            return cached;
        }
        int id = idIn(http.post("/subjects/" + encode(subject) + "/versions", schemaBody(schema)));
        remember(key, id);
        return id;
    }

    /**
     * {@inheritDoc}
     *
     * @throws SchemaRegistryException with error code 40401 (no such subject) or 40403 (schema not
     *     under it), or {@link SchemaRegistryException#NO_ERROR_CODE} when no registry answers
     */
    @Override
    public int idOf(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer cached = ids.get(key);
        if (cached != null) {
            return cached;
        }
        int id = idIn(http.post("/subjects/" + encode(subject), schemaBody(schema)));
        remember(key, id);
        return id;
    }

    /**
     * {@inheritDoc}
     *
     * @throws SchemaRegistryException with error code 40403 if no schema has that id, with {@link
     *     SchemaRegistryException#NO_ERROR_CODE} if no registry answers
     * @throws UnusableSchemaException if the schema there is not a usable Avro schema (another
     *     type, references, or it does not parse)
     */
    @Override
    public Schema schemaById(int id) {
        Schema cached = schemas.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = http.get("/schemas/ids/" + id);
        String type = answer.path("schemaType").asText("AVRO");
        if (!type.equals("AVRO")) {
            throw new UnusableSchemaException("schema " + id + " is a " + type + " schema, not an Avro one");
        }
        if (answer.path("references").size() > 0) {
            throw new UnusableSchemaException("schema " + id + " has references, which this client does not resolve");
        }
        Schema schema;
        try {
            schema = new Schema.Parser().parse(answer.path("schema").asText());
        } catch (RuntimeException e) {
            // SchemaParseException, but also AvroTypeException and friends (an invalid default...).
            throw new UnusableSchemaException("schema " + id + " from the registry does not parse as Avro: "
                    + e.getMessage());
        }
        Schema raced = schemas.putIfAbsent(id, schema);
        return raced != null ? raced : schema;
    }

    /** Drops the caches. The JDK 17 HttpClient has no close: its idle connections time out alone. */
    @Override
    public void close() {
        ids.clear();
        schemas.clear();
    }

    private void remember(SubjectSchema key, int id) {
        ids.putIfAbsent(key, id);
        // The registry holds this very schema under that id: a later schemaById needs no call.
        schemas.putIfAbsent(id, key.schema());
    }

    private ObjectNode schemaBody(Schema schema) {
        return json.createObjectNode().put("schema", schema.toString());
    }

    private static int idIn(JsonNode answer) {
        JsonNode id = answer.path("id");
        if (!id.isInt()) {
            throw new SchemaRegistryException("the registry's answer has no schema id: " + answer,
                    SchemaRegistryException.NO_ERROR_CODE);
        }
        return id.asInt();
    }

    /** Subjects are path segments: a '/' or space in one must not change the path. */
    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private record SubjectSchema(String subject, Schema schema) {}
}
