package io.kvpipe.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client against a scripted stub: retries, failover, error codes, headers, caching. */
class RestSchemaRegistryClientTest {

    private static final Schema USER = SchemaBuilder.record("User").namespace("t")
            .fields().requiredString("name").endRecord();

    private final StubRegistry stub = new StubRegistry();

    @AfterEach
    void stopStub() {
        stub.close();
    }

    @Test
    void registerPostsTheSchemaWithTheRegistryContentTypeAndReturnsTheId() {
        stub.then(200, "{\"id\":7}");
        try (RestSchemaRegistryClient client = fastClient(stub.url())) {
            assertThat(client.register("orders value/x", USER)).isEqualTo(7);
        }
        StubRegistry.Request request = stub.requests().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.rawPath()).isEqualTo("/subjects/orders%20value%2Fx/versions");
        assertThat(request.headers().getFirst("Content-Type"))
                .isEqualTo("application/vnd.schemaregistry.v1+json");
        assertThat(request.body()).isEqualTo("{\"schema\":" + quoted(USER.toString()) + "}");
    }

    @Test
    void answersAreCachedSoRepeatedCallsStayLocal() {
        stub.then(200, "{\"id\":3}")
                .then(200, "{\"schema\":" + quoted(USER.toString()) + "}");
        try (RestSchemaRegistryClient client = fastClient(stub.url())) {
            assertThat(client.idOf("s", USER)).isEqualTo(3);
            assertThat(client.register("s", USER)).isEqualTo(3);
            assertThat(client.schemaById(3)).isEqualTo(USER);
            assertThat(client.schemaById(9)).isEqualTo(USER);
            assertThat(client.schemaById(9)).isEqualTo(USER);
        }
        assertThat(stub.requests()).extracting(StubRegistry.Request::rawPath)
                .containsExactly("/subjects/s", "/schemas/ids/9");
    }

    @Test
    void fiveHundredsAreRetriedABoundedNumberOfTimesAndKeepTheRegistryCode() {
        stub.always(503, "{\"error_code\":50003,\"message\":\"Error while forwarding the request to the leader\"}");
        try (RestSchemaRegistryClient client = fastClient(stub.url())) {
            assertThatThrownBy(() -> client.register("s", USER))
                    .isInstanceOfSatisfying(SchemaRegistryException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(50003))
                    .hasMessageStartingWith("Error while forwarding the request to the leader")
                    .hasMessageContaining("HTTP 503");
        }
        assertThat(stub.requests()).hasSize(3);
    }

    @Test
    void aTransient503IsRiddenOut() {
        stub.then(503, "{\"error_code\":50001,\"message\":\"store\"}").then(200, "{\"id\":5}");
        try (RestSchemaRegistryClient client = fastClient(stub.url())) {
            assertThat(client.register("s", USER)).isEqualTo(5);
        }
        assertThat(stub.requests()).hasSize(2);
    }

    @Test
    void clientErrorsFailAtOnceWithTheRegistryCodeAndMessage() {
        stub.then(409, "{\"error_code\":409,\"message\":\"Schema being registered is incompatible with an earlier schema for subject \\\"s\\\"\"}")
                .then(404, "{\"error_code\":40403,\"message\":\"Schema 42 not found\"}");
        try (RestSchemaRegistryClient client = fastClient(stub.url())) {
            assertThatThrownBy(() -> client.register("s", USER))
                    .isInstanceOfSatisfying(SchemaRegistryException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INCOMPATIBLE_SCHEMA))
                    .hasMessageStartingWith("Schema being registered is incompatible");
            assertThatThrownBy(() -> client.schemaById(42))
                    .isInstanceOfSatisfying(SchemaRegistryException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND))
                    .hasMessageStartingWith("Schema 42 not found");
        }
        assertThat(stub.requests()).hasSize(2);
    }

    @Test
    void anAnswerThatIsNotARegistryErrorReportsTheStatus() {
        stub.then(401, "<html>Unauthorized</html>");
        try (RestSchemaRegistryClient client = fastClient(stub.url())) {
            assertThatThrownBy(() -> client.schemaById(1))
                    .isInstanceOfSatisfying(SchemaRegistryException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.NO_ERROR_CODE))
                    .hasMessageContaining("HTTP 401")
                    .hasMessageContaining("<html>Unauthorized</html>");
        }
    }

    @Test
    void anUnreachableRegistryFailsAfterTheRetriesNamingTheUrl() throws IOException {
        String closed = "http://127.0.0.1:" + closedPort();
        try (RestSchemaRegistryClient client = fastClient(closed)) {
            assertThatThrownBy(() -> client.schemaById(1))
                    .isInstanceOfSatisfying(SchemaRegistryException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.NO_ERROR_CODE))
                    .hasMessage("schema registry at " + closed + " is unreachable: Connection refused");
        }
    }

    @Test
    void anUnreachableUrlFailsOverToTheNext() throws IOException {
        stub.then(200, "{\"id\":11}");
        String urls = "http://127.0.0.1:" + closedPort() + "," + stub.url();
        try (RestSchemaRegistryClient client = fastClient(urls)) {
            assertThat(client.register("s", USER)).isEqualTo(11);
        }
        assertThat(stub.requests()).hasSize(1);
    }

    @Test
    void userInfoCredentialsGoInABasicAuthorizationHeader() {
        stub.then(200, "{\"id\":1}");
        Map<String, Object> config = fastConfig(stub.url());
        config.put("basic.auth.credentials.source", "USER_INFO");
        config.put("basic.auth.user.info", "alice:s3cret");
        try (RestSchemaRegistryClient client = RestSchemaRegistryClient.fromConfig(config)) {
            client.register("s", USER);
        }
        assertThat(stub.requests().get(0).headers().getFirst("Authorization"))
                .isEqualTo("Basic " + base64("alice:s3cret"));
    }

    @Test
    void credentialsInTheUrlAreSentAsAHeaderAndKeptOutOfMessages() {
        stub.always(404, "{\"error_code\":40403,\"message\":\"Schema 1 not found\"}");
        String url = stub.url().replace("http://", "http://bob:pw@");
        try (RestSchemaRegistryClient client = fastClient(url)) {
            assertThatThrownBy(() -> client.schemaById(1)).hasMessageNotContaining("pw");
        }
        assertThat(stub.requests().get(0).headers().getFirst("Authorization"))
                .isEqualTo("Basic " + base64("bob:pw"));
    }

    @Test
    void badConfigIsRefusedUpFront() {
        assertThatThrownBy(() -> RestSchemaRegistryClient.fromConfig(Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schema.registry.url");
        assertThatThrownBy(() -> RestSchemaRegistryClient.fromConfig(Map.of(
                "schema.registry.url", "http://localhost:8081",
                "basic.auth.credentials.source", "USER_INFO")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("basic.auth.user.info");
        assertThatThrownBy(() -> RestSchemaRegistryClient.forUrl("localhost:8081"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("http(s)://host[:port]");
    }

    private static RestSchemaRegistryClient fastClient(String urls) {
        return RestSchemaRegistryClient.fromConfig(fastConfig(urls));
    }

    /** Three attempts, a millisecond apart: the retry count matters here, not the waiting. */
    private static Map<String, Object> fastConfig(String urls) {
        Map<String, Object> config = new HashMap<>();
        config.put("schema.registry.url", urls);
        config.put("max.retries", 2);
        config.put("retries.wait.ms", 1);
        return config;
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
