package io.kvpipe.app.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.List;
import java.util.Locale;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;

/**
 * Request and response plumbing in Confluent's terms: which content types a request body may have,
 * how a schema request is read and checked, and how answers and errors are written.
 */
final class JsonExchange {

    static final String V1 = "application/vnd.schemaregistry.v1+json";
    private static final String UNVERSIONED = "application/vnd.schemaregistry+json";
    private static final String JSON_TYPE = "application/json";
    /** Confluent accepts these request bodies; octet-stream for clients that label nothing. */
    private static final List<String> BODY_TYPES =
            List.of(V1, UNVERSIONED, JSON_TYPE, "application/octet-stream");

    static final ObjectMapper JSON = new ObjectMapper();

    private JsonExchange() {}

    /** Writes {@code body} as JSON, in the content type the request's Accept header prefers. */
    static void answer(Context ctx, Object body) {
        try {
            ctx.contentType(responseType(ctx)).result(JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render an answer", e);
        }
    }

    /** Writes Confluent's error body {"error_code":..., "message":...} with the HTTP status. */
    static void error(Context ctx, int status, int errorCode, String message) {
        ObjectNode body = JSON.createObjectNode().put("error_code", errorCode).put("message", message);
        ctx.status(status);
        answer(ctx, body);
    }

    /**
     * The request body as a JSON object.
     *
     * @throws RegistryError 415 for a content type Confluent does not accept, 400 if the body is
     *     not a JSON object
     */
    static JsonNode body(Context ctx) {
        String type = ctx.contentType();
        if (type != null && !type.isBlank()) {
            String bare = type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
            if (!BODY_TYPES.contains(bare)) {
                throw new RegistryError(415, 415, "HTTP 415 Unsupported Media Type");
            }
        }
        try {
            JsonNode node = JSON.readTree(ctx.body());
            if (node == null || !node.isObject()) {
                throw new RegistryError(400, 400, "The request body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new RegistryError(400, 400, "The request body is not JSON: "
                    + e.getOriginalMessage());
        }
    }

    /**
     * The Avro schema a register, lookup or compatibility request carries in {"schema": "...",
     * "schemaType"?: "AVRO", "references"?: []}.
     *
     * @throws RegistryError 42201 if the schema is missing or does not parse, its type is not
     *     AVRO, or it has references (not supported here); as {@link #body} otherwise
     */
    static Schema schemaIn(Context ctx) {
        JsonNode request = body(ctx);
        String type = request.path("schemaType").asText("AVRO");
        if (!type.equals("AVRO")) {
            throw RegistryError.invalidSchema("Invalid schema type " + type
                    + ": this registry serves AVRO schemas only");
        }
        if (request.path("references").size() > 0) {
            throw RegistryError.invalidSchema("Schema references are not supported by this registry");
        }
        String text = request.path("schema").asText("");
        if (text.isBlank()) {
            throw RegistryError.invalidSchema("Empty schema");
        }
        try {
            return new Schema.Parser().parse(text);
        } catch (AvroRuntimeException e) {
            throw RegistryError.invalidSchema("Invalid schema: " + e.getMessage());
        }
    }

    /** A boolean query parameter: present and "true" (any case). */
    static boolean flag(Context ctx, String name) {
        return Boolean.parseBoolean(ctx.queryParam(name));
    }

    /** Confluent's content negotiation, simplified: its own type unless only plain JSON is accepted. */
    private static String responseType(Context ctx) {
        String accept = ctx.header("Accept");
        if (accept == null || accept.contains(V1) || accept.contains("*/*")) {
            return V1;
        }
        if (accept.contains(UNVERSIONED)) {
            return UNVERSIONED;
        }
        return accept.contains(JSON_TYPE) ? JSON_TYPE : V1;
    }
}
