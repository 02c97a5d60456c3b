package io.kvpipe.app.query;

import io.kvpipe.app.topology.HeldTransactions;
import io.kvpipe.schemas.testing.InMemorySchemaRegistry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvpipe.app.membership.MembershipSettings;
import io.kvpipe.app.membership.MembershipView;
import io.kvpipe.avro.Heartbeat;
import io.kvpipe.avro.VersionedValue;
import io.kvpipe.schemas.serde.AvroSerde;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP layer against a Kafka Streams client that is built but not started: no broker needed. */
class QueryServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final InMemorySchemaRegistry REGISTRY = new InMemorySchemaRegistry();

    @TempDir
    static Path stateDir;

    static KafkaStreams streams;
    static MembershipView membership;
    static QueryServer server;

    @BeforeAll
    static void start() throws IOException {
        StreamsBuilder builder = new StreamsBuilder();
        builder.table("kv-requests", Consumed.with(Serdes.String(),
                        AvroSerde.forValues(VersionedValue.class, new InMemorySchemaRegistry())),
                Materialized.as("kv"));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "query-server-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        streams = new KafkaStreams(builder.build(), props);
        // A view whose clock stands still: the member stays ALIVE however slow the test runs.
        long now = System.currentTimeMillis();
        membership = MembershipView.detached(MembershipSettings.defaults("kv-heartbeats"), () -> now);
        membership.observe(Heartbeat.newBuilder().setInstanceId("me").setQueryEndpoint("localhost:1")
                .setSequence(1).setTimestampMs(0).build(), now);
        server = QueryServer.start(settings()
                .listen("localhost", freePort()).build());
    }

    /** The server's settings, with a topology that holds no transaction in memory. */
    private static QueryServerSettings.Builder settings() {
        return QueryServerSettings.builder("me", streams, membership, REGISTRY, new HeldTransactions());
    }

    @AfterAll
    static void stop() {
        server.close();
        streams.close();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode assertError(HttpResponse<String> response, int status, String messagePart)
            throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("application/json"));
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(body.get("error").asText()).contains(messagePart).doesNotContain("\n").doesNotContain("\tat ");
        return body;
    }

    @Test
    void healthIsDownUntilKafkaStreamsRuns() throws Exception {
        HttpResponse<String> response = get("/health");
        assertThat(response.statusCode()).isEqualTo(503);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("status").asText()).isEqualTo("DOWN");
        assertThat(body.get("streams").asText()).isEqualTo("CREATED");
    }

    @Test
    void aMissingKeyIsABadRequest() throws Exception {
        assertError(get("/kv"), 400, "a key is required");
        assertError(get("/kv/"), 400, "a key is required");
        assertError(get("/kv?key="), 400, "a key is required");
        assertError(get("/kv/" + "x".repeat(1025)), 400, "at most 1024 bytes");
    }

    @Test
    void badPositionsAndTimeoutsAreBadRequests() throws Exception {
        assertError(get("/kv/k?position=abc"), 400, "<partition>:<offset>");
        assertError(get("/kv/k?position=-1:5"), 400, "at least 0");
        assertError(get("/kv/k?position=3:vlatest"), 400, "<partition>:v<version>");
        // Both forms parse: the read gets past the parameters (and cannot be located, not started).
        assertError(get("/kv/k?position=3:v4"), 503, "cannot locate");
        assertError(get("/kv/k?position=3:17"), 503, "cannot locate");
        assertError(get("/kv/k?timeoutMs=-1"), 400, "timeoutMs");
        assertError(get("/kv/k?timeoutMs=soon"), 400, "timeoutMs");
        assertError(get("/kv/k?timeoutMs=30001"), 400, "30000");
    }

    @Test
    void aTransactionLookupNeedsAnIdAndIsAJson503UntilKafkaStreamsRuns() throws Exception {
        assertError(get("/txn/"), 400, "a transaction id is required");
        assertError(get("/txn?id="), 400, "a transaction id is required");
        JsonNode body = assertError(get("/txn/some-id"), 503, "not every partition could be searched");
        assertThat(body.get("transactionId").asText()).isEqualTo("some-id");
        assertThat(body.get("complete").asBoolean()).isFalse();
    }

    @Test
    void aForwardedReadMustSayWhatItWants() throws Exception {
        assertError(get("/kv/k", Hop.FORWARDED_BY, "other", Hop.WANT, "anything"), 400, Hop.WANT);
    }

    @Test
    void aKeyThatCannotBeLocatedYetIs503AndKeysAreDecoded() throws Exception {
        assertError(get("/kv/a%20b"), 503, "'a b'");
        assertError(get("/kv/a/b"), 503, "'a/b'");
        assertError(get("/kv?key=a%2Fb%3Fc"), 503, "'a/b?c'");
        assertError(get("/kv/a%2Fb"), 503, "'a/b'");
    }

    @Test
    void unknownRoutesAndMethodsAreJsonErrors() throws Exception {
        assertError(get("/nope"), 404, "no such route");
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/kv/k"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertError(post, 405, "not allowed");
    }

    @Test
    void metricsArePrometheusTextWithKafkaStreamsAndJvmMetrics() throws Exception {
        get("/kv/k"); // a read that reached the router is counted by route and status
        HttpResponse<String> response = get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("text/plain; version=0.0.4"));
        assertThat(response.body()).contains("kafka_stream_").contains("jvm_memory_used_bytes")
                .contains("kvpipe_query_reads_total{route=\"none\",status=\"503\"}");
    }

    @Test
    void clusterListsTheMembers() throws Exception {
        HttpResponse<String> response = get("/cluster");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("servedBy").asText()).isEqualTo("me");
        assertThat(body.get("instances")).hasSize(1);
        assertThat(body.get("instances").get(0).get("status").asText()).isEqualTo("ALIVE");
        assertThat(body.get("partitions")).isEmpty();
    }

    @Test
    void aPortInUseIsRefusedInOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> QueryServer.start(settings()
                            .listen("localhost", port).build()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("port " + port)
                    .hasMessageContaining("already in use")
                    .hasMessageNotContaining("\n");
        }
    }

    @Test
    void settingsRefuseAnEphemeralPort() {
        assertThatThrownBy(() -> settings().listen("localhost", 0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("application.server");
        assertThat(List.of(server.endpoint())).containsExactly(server.url().substring("http://".length()));
    }
}
