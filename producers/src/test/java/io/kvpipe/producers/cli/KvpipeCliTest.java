package io.kvpipe.producers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.producers.client.KvClient;
import io.kvpipe.producers.client.KvClientConfig;
import io.kvpipe.producers.testing.StubSchemaRegistryServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line without a broker: parsing, options, errors. */
class KvpipeCliTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Function<KvClientConfig, KvClient> factory, String... args) {
        return KvpipeCli.newCommandLine(factory, new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    private int run(String... args) {
        return run(KvClient::create, args);
    }

    @Test
    void helpListsTheCommandsAndExitsZero() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("put", "get", "delete", "cas", "add", "txn", "--bootstrap-servers", "Exit codes");
    }

    @Test
    void noCommandIsAUsageError() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("Usage: kvpipe-cli");
    }

    @Test
    void argumentErrorsAreOneLineAndExitTwo() {
        assertThat(run("put", "k")).isEqualTo(2);
        assertThat(run("cas", "k", "v")).isEqualTo(2);
        assertThat(run("cas", "k", "v", "--expect-version", "1", "--expect-absent")).isEqualTo(2);
        assertThat(run("add", "k", "abc")).isEqualTo(2);
        assertThat(run("--timeout", "soon", "delete", "k")).isEqualTo(2);
        assertThat(err.toString().lines()).hasSize(5).allSatisfy(line -> assertThat(line).startsWith("kvpipe-cli: "));
        assertThat(err.toString()).contains("Missing required parameter: 'VALUE'", "(see 'kvpipe-cli put --help')",
                "mutually exclusive", "'soon' is not a duration");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void badTransactionsAreOneLineErrorsBeforeAnyConnection() {
        Function<KvClientConfig, KvClient> noConnection = config -> {
            throw new AssertionError("must not connect");
        };
        assertThat(run(noConnection, "txn")).isEqualTo(2);
        assertThat(run(noConnection, "txn", "put:a=1", "put:k")).isEqualTo(2);
        assertThat(run(noConnection, "txn", "put:a=1", "del:a")).isEqualTo(2);
        assertThat(run(noConnection, "txn", "--txn-timeout", "61s", "put:a=1", "put:b=2")).isEqualTo(2);
        assertThat(err.toString().lines()).hasSize(4).allSatisfy(line -> assertThat(line).startsWith("kvpipe-cli: "));
        assertThat(err.toString()).contains("Missing required parameter: 'OP'", "'put:k': expected put:KEY=VALUE",
                "op 1 names 'a' again", "1 ms to 60000 ms");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void theCommonOptionsWorkBeforeAndAfterTheCommand(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("client.properties");
        Files.writeString(config, "security.protocol=PLAINTEXT\nlinger.ms=20\n");
        AtomicReference<KvClientConfig> seen = new AtomicReference<>();
        Function<KvClientConfig, KvClient> capture = c -> {
            seen.set(c);
            throw new CliException("captured");
        };

        int code = run(capture, "--bootstrap-servers", "b1:9092,b2:9092", "--config", config.toString(),
                "put", "k", "v",
                "--schema-registry-url", "http://registry:8081", "-X", "linger.ms=1", "--topic-prefix", "t-",
                "--timeout", "1500ms", "--client-id", "me", "--batched-outcomes");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("kvpipe-cli: captured" + System.lineSeparator());
        KvClientConfig c = seen.get();
        assertThat(c.bootstrapServers()).contains("b1:9092,b2:9092");
        assertThat(c.schemaRegistryUrl()).contains("http://registry:8081");
        assertThat(c.topics().requests()).isEqualTo("t-requests");
        assertThat(c.requestTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.clientId()).isEqualTo("me");
        assertThat(c.batchedOutcomes()).isTrue();
        assertThat(c.kafkaProperties()).containsEntry("security.protocol", "PLAINTEXT").containsEntry("linger.ms", "1");
    }

    @Test
    void theDefaultsAreTheLocalEmbeddedPipeline() {
        AtomicReference<KvClientConfig> seen = new AtomicReference<>();
        run(c -> {
            seen.set(c);
            throw new CliException("captured");
        }, "delete", "k");
        // Unless the environment of this test run says otherwise.
        if (System.getenv("KVPIPE_BOOTSTRAP_SERVERS") == null) {
            assertThat(seen.get().bootstrapServers()).contains("localhost:9092");
        }
        if (System.getenv("KVPIPE_SCHEMA_REGISTRY_URL") == null) {
            assertThat(seen.get().schemaRegistryUrl()).contains("http://localhost:8081");
        }
        assertThat(seen.get().topics().requests()).isEqualTo("kv-requests");
        assertThat(seen.get().requestTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(seen.get().batchedOutcomes()).isFalse();
    }

    @Test
    void anUnreadableConfigFileIsAnError(@TempDir Path dir) {
        assertThat(run("--config", dir.resolve("missing.properties").toString(), "put", "k", "v")).isEqualTo(2);
        assertThat(err.toString()).startsWith("kvpipe-cli: cannot read the client properties file");
    }

    @Test
    void anUnreachableBrokerIsAnErrorWithinTheTimeout() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (StubSchemaRegistryServer registry = new StubSchemaRegistryServer()) {
            long start = System.nanoTime();
            int code = run("put", "k", "v", "--bootstrap-servers", "127.0.0.1:" + port,
                    "--schema-registry-url", registry.url(), "--timeout", "1s");
            assertThat(code).isEqualTo(2);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        }
        assertThat(err.toString().lines()).singleElement().asString()
                .startsWith("kvpipe-cli: Kafka did not answer within 1 s");
    }

    @Test
    void durations() {
        assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationConverter.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(DurationConverter.parse("30")).isEqualTo(Duration.ofSeconds(30));
        assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(DurationConverter.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(DurationConverter.parse("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
    }
}
