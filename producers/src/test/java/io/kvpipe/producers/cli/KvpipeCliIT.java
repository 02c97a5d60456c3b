package io.kvpipe.producers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import io.kvpipe.producers.testing.KafkaTestCluster;
import io.kvpipe.producers.testing.Responder;
import io.kvpipe.producers.testing.StubSchemaRegistryServer;
import io.kvpipe.schemas.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The CLI's writes against a real broker and the stand-in responder, in process and as the packaged jar. */
class KvpipeCliIT {

    private static final int REQUEST_PARTITIONS = 4;
    private static final Topics TOPICS = Topics.withPrefix("cli-");

    private static KafkaTestCluster cluster;
    private static StubSchemaRegistryServer registry;
    private static Responder responder;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void start() throws Exception {
        cluster = KafkaTestCluster.start();
        registry = new StubSchemaRegistryServer();
        cluster.createPipelineTopics(TOPICS, REQUEST_PARTITIONS, 2);
        responder = new Responder(cluster.bootstrapServers(), registry.url(), TOPICS, 2);
    }

    @AfterAll
    static void stop() throws Exception {
        if (responder != null) {
            responder.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static List<String> common() {
        return List.of("--bootstrap-servers", cluster.bootstrapServers(), "--schema-registry-url", registry.url(),
                "--topic-prefix", "cli-");
    }

    private int cli(String... args) {
        List<String> all = new ArrayList<>(common());
        all.addAll(List.of(args));
        return KvpipeCli.run(new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
    }

    @Test
    void aCommittedWritePrintsVersionAndPositionAndExitsZero() {
        assertThat(cli("put", "cli:k", "hello world")).isZero();
        int partition = ConsistentHashPartitioner.partitionFor("cli:k", REQUEST_PARTITIONS);
        assertThat(out.toString()).matches("committed cli:k version=1 position=" + partition + ":\\d+\\R");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void everyWriteCommand() {
        assertThat(cli("cas", "cli:c", "v1", "--expect-absent")).isZero();
        assertThat(cli("cas", "cli:c", "v2", "--expect-version", "1")).isZero();
        assertThat(cli("add", "cli:n", "-50", "--floor", "-100")).isZero();
        assertThat(cli("delete", "cli:c")).isZero();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).startsWith("committed cli:c version=1 position=");
        assertThat(lines.get(1)).startsWith("committed cli:c version=2 position=");
        assertThat(lines.get(2)).startsWith("committed cli:n version=1 position=");
        assertThat(lines.get(3)).startsWith("committed cli:c version=3 position=");
    }

    @Test
    void aRejectedWritePrintsTheReasonAndExitsOne() {
        assertThat(cli("cas", "reject:k", "v", "--expect-version", "2")).isEqualTo(1);
        assertThat(out.toString()).isEqualTo("rejected reject:k VERSION_MISMATCH: expected 2, found 3"
                + System.lineSeparator());
    }

    @Test
    void aCommittedTransactionPrintsEachOpsNewVersion() {
        assertThat(cli("txn", "put:txn:a=1", "add:txn:b-5>=-10", "check:txn:c@absent")).isZero();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).matches("committed \\S+");
        assertThat(lines.get(1)).matches("  put txn:a version=1 position=\\d+:\\d+");
        assertThat(lines.get(2)).matches("  add txn:b version=1 position=\\d+:\\d+");
        assertThat(lines.get(3)).isEqualTo("  check txn:c");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void anAbortedTransactionPrintsWhyAndExitsOne() {
        assertThat(cli("txn", "--json", "--txn-timeout", "2s", "put:abort:a=1", "put:abort:b=2")).isEqualTo(1);
        assertThat(out.toString()).matches("\\{\"status\":\"aborted\",\"requestId\":\"(\\S+)\","
                + "\"transactionId\":\"\\1\",\"reason\":\"LOCK_CONFLICT\",\"failedOp\":1,"
                + "\"failedKey\":\"abort:b\",\"detail\":\"abort:b is locked by another transaction\"}\\R");
    }

    @Test
    void aTransactionRetriedUnderItsIdIsAnsweredWithTheFirstOutcome() {
        assertThat(cli("txn", "--request-id", "cli-retry-1", "add:retry:n+1", "add:retry:m+1")).isZero();
        assertThat(cli("txn", "--request-id", "cli-retry-1", "add:retry:n+1", "add:retry:m+1")).isZero();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(6);
        assertThat(lines.subList(3, 6)).isEqualTo(lines.subList(0, 3));
        assertThat(lines.get(1)).contains("version=1");
        assertThat(responder.timesSeen("cli-retry-1")).isEqualTo(2);
    }

    @Test
    void noOutcomeIsATimeoutErrorLine() {
        assertThat(cli("--timeout", "1s", "put", "silent:k", "v")).isEqualTo(2);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString().lines()).singleElement().asString()
                .startsWith("kvpipe-cli: timeout: no outcome for request ")
                .contains("within 1 s", "the request was written to cli-requests-");
    }

    @Test
    void thePackagedJarRuns() throws Exception {
        Path jar = Path.of("target", "kvpipe-cli.jar");
        assertThat(jar).as("package runs before the integration tests").exists();
        assertThat(Path.of("target", "lib")).isDirectory();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        command.addAll(common());
        command.addAll(List.of("put", "jar:k", "from the jar"));
        Path stdout = Files.createTempFile("kvpipe-cli", ".out");
        Path stderr = Files.createTempFile("kvpipe-cli", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                    .start();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(stderr, StandardCharsets.UTF_8)).isEmpty();
            assertThat(Files.readString(stdout, StandardCharsets.UTF_8)).startsWith("committed jar:k version=1 position=");
            assertThat(process.exitValue()).isZero();
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }
}
