package io.kvpipe.app.registry;

import static io.kvpipe.app.registry.RegistryCalls.JSON;
import static io.kvpipe.app.registry.RegistryCalls.schemaBody;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The REST API over real HTTP: Confluent's paths, bodies, status codes and error codes. */
class SchemaRegistryServerTest {

    private static final String V1_TYPE = "application/vnd.schemaregistry.v1+json";

    private SchemaRegistryServer server;
    private RegistryCalls calls;

    @BeforeEach
    void start() {
        server = SchemaRegistryServer.start("127.0.0.1", 0, new InMemorySchemaLog());
        calls = new RegistryCalls(server.url());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void rootAndSchemaTypes() throws IOException {
        RegistryCalls.Response root = calls.get("/");
        assertThat(root.status()).isEqualTo(200);
        assertThat(root.contentType()).startsWith(V1_TYPE);
        assertThat(root.json()).isEqualTo(json("{}"));
        assertThat(calls.get("/schemas/types").json()).isEqualTo(json("[\"AVRO\"]"));
    }

    @Test
    void registeringIsIdempotentAndASchemaKeepsItsIdAcrossSubjects() throws IOException {
        assertThat(calls.register("a-value", Schemas.V1).json()).isEqualTo(json("{\"id\":1}"));
        assertThat(calls.register("a-value", Schemas.V1).json()).isEqualTo(json("{\"id\":1}"));
        assertThat(calls.register("b-value", Schemas.V1).json()).isEqualTo(json("{\"id\":1}"));
        assertThat(calls.register("a-value", Schemas.WITH_DEFAULTED_AGE).json()).isEqualTo(json("{\"id\":2}"));
        // Whitespace is not part of a schema's identity.
        assertThat(calls.post("/subjects/b-value/versions", schemaBody(json(Schemas.V1.toString()).toPrettyString())).json())
                .isEqualTo(json("{\"id\":1}"));

        assertThat(calls.get("/subjects/a-value/versions").json()).isEqualTo(json("[1,2]"));
        assertThat(calls.get("/subjects/b-value/versions").json()).isEqualTo(json("[1]"));
        assertThat(calls.get("/subjects").json()).isEqualTo(json("[\"a-value\",\"b-value\"]"));
    }

    @Test
    void versionsAreReadByNumberOrAsLatest() throws IOException {
        calls.register("s", Schemas.V1);
        calls.register("s", Schemas.WITH_DEFAULTED_AGE);

        assertThat(calls.get("/subjects/s/versions/1").json()).isEqualTo(version("s", 1, 1, Schemas.V1.toString()));
        JsonNode latest = version("s", 2, 2, Schemas.WITH_DEFAULTED_AGE.toString());
        assertThat(calls.get("/subjects/s/versions/latest").json()).isEqualTo(latest);
        assertThat(calls.get("/subjects/s/versions/-1").json()).isEqualTo(latest);

        RegistryCalls.Response raw = calls.get("/subjects/s/versions/1/schema");
        assertThat(raw.status()).isEqualTo(200);
        assertThat(json(raw.body())).isEqualTo(json(Schemas.V1.toString()));
    }

    @Test
    void schemasAreReadById() throws IOException {
        calls.register("a", Schemas.V1);
        calls.register("b", Schemas.V1);

        assertThat(calls.get("/schemas/ids/1").json())
                .isEqualTo(JSON.createObjectNode().put("schema", Schemas.V1.toString()));
        assertThat(calls.get("/schemas/ids/1/subjects").json()).isEqualTo(json("[\"a\",\"b\"]"));
        assertThat(calls.get("/schemas/ids/1/versions").json())
                .isEqualTo(json("[{\"subject\":\"a\",\"version\":1},{\"subject\":\"b\",\"version\":1}]"));
        assertError(calls.get("/schemas/ids/99"), 404, 40403, "Schema 99 not found");
    }

    @Test
    void aSchemaIsLookedUpUnderASubjectWithoutRegistering() throws IOException {
        calls.register("s", Schemas.V1);

        assertThat(calls.postSchema("/subjects/s", Schemas.V1).json())
                .isEqualTo(version("s", 1, 1, Schemas.V1.toString()));
        assertError(calls.postSchema("/subjects/s", Schemas.WITH_DEFAULTED_AGE), 404, 40403, "Schema not found");
        assertError(calls.postSchema("/subjects/nope", Schemas.V1), 404, 40401, "Subject 'nope' not found.");
        assertThat(calls.get("/subjects/s/versions").json()).isEqualTo(json("[1]"));
    }

    @Test
    void missingSubjectsAndVersionsAndInvalidVersionsHaveConfluentCodes() {
        calls.register("s", Schemas.V1);

        assertError(calls.get("/subjects/nope/versions"), 404, 40401, "Subject 'nope' not found.");
        assertError(calls.get("/subjects/nope/versions/latest"), 404, 40401, "Subject 'nope' not found.");
        assertError(calls.get("/subjects/s/versions/7"), 404, 40402, "Version 7 not found.");
        String invalid = "The specified version '%s' is not a valid version id. Allowed values are between"
                + " [1, 2^31-1] and the string \"latest\"";
        assertError(calls.get("/subjects/s/versions/0"), 422, 42202, invalid.formatted("0"));
        assertError(calls.get("/subjects/s/versions/first"), 422, 42202, invalid.formatted("first"));
    }

    @Test
    void invalidSchemasAreRefusedWith42201() {
        RegistryCalls.Response unparseable = calls.post("/subjects/s/versions", schemaBody("{\"type\":\"recrod\"}"));
        assertThat(unparseable.status()).isEqualTo(422);
        assertThat(unparseable.json().get("error_code").asInt()).isEqualTo(42201);
        assertThat(unparseable.json().get("message").asText()).startsWith("Invalid schema: ");

        assertError(calls.post("/subjects/s/versions", "{}"), 422, 42201, "Empty schema");
        assertError(calls.post("/subjects/s/versions", "{\"schema\":\"syntax = \\\"proto3\\\";\",\"schemaType\":\"PROTOBUF\"}"),
                422, 42201, "Invalid schema type PROTOBUF: this registry serves AVRO schemas only");
        assertThat(calls.get("/subjects").json()).isEmpty();
    }

    @Test
    void requestBodiesMayBePlainJsonOrOctetStreamButNotText() {
        String body = schemaBody(Schemas.V1.toString());
        assertThat(calls.post("/subjects/s/versions", body, "application/json").status()).isEqualTo(200);
        assertThat(calls.post("/subjects/s/versions", body, "application/octet-stream").status()).isEqualTo(200);
        assertError(calls.post("/subjects/s/versions", body, "text/plain"), 415, 415, "HTTP 415 Unsupported Media Type");
        RegistryCalls.Response malformed = calls.post("/subjects/s/versions", "{\"schema\":");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().get("error_code").asInt()).isEqualTo(400);
    }

    @Test
    void unknownRoutesAndMethodsAnswerInConfluentsErrorBody() {
        assertError(calls.get("/no/such/route"), 404, 404, "HTTP 404 Not Found");
        assertError(calls.delete("/schemas/types"), 405, 405, "HTTP 405 Method Not Allowed");
    }

    @Test
    void softDeletedVersionsDisappearButKeepTheirIdsReadable() throws IOException {
        calls.register("s", Schemas.V1);
        calls.register("s", Schemas.WITH_DEFAULTED_AGE);

        assertThat(calls.delete("/subjects/s/versions/1").json()).isEqualTo(json("1"));
        assertThat(calls.get("/subjects/s/versions").json()).isEqualTo(json("[2]"));
        assertThat(calls.get("/subjects/s/versions?deleted=true").json()).isEqualTo(json("[1,2]"));
        assertError(calls.get("/subjects/s/versions/1"), 404, 40402, "Version 1 not found.");
        assertThat(calls.get("/subjects/s/versions/1?deleted=true").json())
                .isEqualTo(version("s", 1, 1, Schemas.V1.toString()));
        assertThat(calls.get("/schemas/ids/1").status()).isEqualTo(200);
        assertError(calls.delete("/subjects/s/versions/1"), 404, 40406,
                "Subject 's' Version 1 was soft deleted.Set permanent=true to delete permanently");
        assertError(calls.delete("/subjects/s/versions/2?permanent=true"), 404, 40407,
                "Subject 's' Version 2 was not deleted first before being permanently deleted");

        assertThat(calls.delete("/subjects/s/versions/1?permanent=true").json()).isEqualTo(json("1"));
        assertThat(calls.get("/subjects/s/versions?deleted=true").json()).isEqualTo(json("[2]"));
        assertError(calls.get("/schemas/ids/1"), 404, 40403, "Schema 1 not found");
    }

    @Test
    void subjectsAreSoftDeletedThenPermanently() throws IOException {
        calls.register("s", Schemas.V1);
        calls.register("s", Schemas.WITH_DEFAULTED_AGE);
        calls.put("/config/s", "{\"compatibility\":\"NONE\"}");

        assertError(calls.delete("/subjects/s?permanent=true"), 404, 40405,
                "Subject 's' was not deleted first before being permanently deleted");
        assertThat(calls.delete("/subjects/s").json()).isEqualTo(json("[1,2]"));
        assertThat(calls.get("/subjects").json()).isEmpty();
        assertThat(calls.get("/subjects?deleted=true").json()).isEqualTo(json("[\"s\"]"));
        assertError(calls.get("/config/s"), 404, 40408, "Subject 's' does not have subject-level compatibility configured");
        assertError(calls.delete("/subjects/s"), 404, 40404,
                "Subject 's' was soft deleted.Set permanent=true to delete permanently");

        // Registering again continues the numbering, and a known schema keeps its id.
        assertThat(calls.register("s", Schemas.V1).json()).isEqualTo(json("{\"id\":1}"));
        assertThat(calls.get("/subjects/s/versions").json()).isEqualTo(json("[3]"));

        calls.delete("/subjects/s");
        assertThat(calls.delete("/subjects/s?permanent=true").json()).isEqualTo(json("[1,2,3]"));
        assertThat(calls.get("/subjects?deleted=true").json()).isEmpty();
        assertError(calls.delete("/subjects/s"), 404, 40401, "Subject 's' not found.");
    }

    @Test
    void compatibilityLevelsAreReadAndSetGloballyAndPerSubject() throws IOException {
        assertThat(calls.get("/config").json()).isEqualTo(json("{\"compatibilityLevel\":\"BACKWARD\"}"));
        assertThat(calls.put("/config", "{\"compatibility\":\"FULL\"}").json())
                .isEqualTo(json("{\"compatibility\":\"FULL\"}"));
        assertThat(calls.get("/config").json()).isEqualTo(json("{\"compatibilityLevel\":\"FULL\"}"));
        assertError(calls.put("/config", "{\"compatibility\":\"SIDEWAYS\"}"), 422, 42203,
                "Invalid compatibility level. Valid values are none, backward, forward, full,"
                        + " backward_transitive, forward_transitive, and full_transitive");

        assertError(calls.get("/config/s"), 404, 40408, "Subject 's' does not have subject-level compatibility configured");
        assertThat(calls.get("/config/s?defaultToGlobal=true").json())
                .isEqualTo(json("{\"compatibilityLevel\":\"FULL\"}"));
        assertThat(calls.put("/config/s", "{\"compatibility\":\"none\"}").json())
                .isEqualTo(json("{\"compatibility\":\"NONE\"}"));
        assertThat(calls.get("/config/s").json()).isEqualTo(json("{\"compatibilityLevel\":\"NONE\"}"));
        assertThat(calls.delete("/config/s").json()).isEqualTo(json("{\"compatibilityLevel\":\"NONE\"}"));
        assertError(calls.delete("/config/s"), 404, 40401, "Subject 's' not found.");

        assertThat(calls.delete("/config").json()).isEqualTo(json("{\"compatibilityLevel\":\"FULL\"}"));
        assertThat(calls.get("/config").json()).isEqualTo(json("{\"compatibilityLevel\":\"BACKWARD\"}"));
    }

    @Test
    void aStorageFailureIsA50001WithAOneLineMessage() {
        SchemaLog broken = new SchemaLog() {
            @Override
            public void replay(BiConsumer<String, String> visitor) {}

            @Override
            public void append(String key, String value) {
                throw new IllegalStateException("writing to _schemas was not acknowledged within 30 s\nsecond line");
            }

            @Override
            public void close() {}
        };
        try (SchemaRegistryServer failing = SchemaRegistryServer.start("127.0.0.1", 0, broken)) {
            assertError(new RegistryCalls(failing.url()).register("s", Schemas.V1), 500, 50001,
                    "Error in the schema registry: writing to _schemas was not acknowledged within 30 s");
        }
    }

    @Test
    void aTakenPortIsReportedPlainly() {
        int port = Integer.parseInt(server.url().replaceAll(".*:", ""));
        assertThatThrownBy(() -> SchemaRegistryServer.start("127.0.0.1", port, new InMemorySchemaLog()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("cannot start the schema registry: port " + port + " is already in use");
    }

    private static void assertError(RegistryCalls.Response response, int status, int errorCode, String message) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith(V1_TYPE);
        assertThat(response.json()).isEqualTo(
                JSON.createObjectNode().put("error_code", errorCode).put("message", message));
    }

    private static JsonNode version(String subject, int version, int id, String schema) {
        return JSON.createObjectNode().put("subject", subject).put("version", version).put("id", id)
                .put("schema", schema);
    }

    private static JsonNode json(String text) throws IOException {
        return JSON.readTree(text);
    }
}
