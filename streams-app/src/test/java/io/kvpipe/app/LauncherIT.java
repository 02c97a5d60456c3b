package io.kvpipe.app;

import static io.kvpipe.app.EmbeddedDefaultIT.freePort;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: what it says when it comes up, and when it cannot. */
class LauncherIT {

    @TempDir
    Path dataDir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void startsTheEmbeddedDefaultAndSaysWhereEverythingListens() throws Exception {
        int kafka = freePort();
        int registry = freePort();
        int http = freePort();

        int exit = run("--data-dir", dataDir.toString(), "--kafka-port", kafka, "--controller-port", freePort(),
                "--registry-port", registry, "--http-port", http, "--exit-when-ready");

        assertThat(exit).as(err()).isZero();
        assertThat(out()).contains("kvpipe is up")
                .contains("localhost:" + kafka)
                .contains("http://localhost:" + registry)
                .contains("kv-requests", "kv-txn-protocol", "kv-changes", "kv-results", "kv-heartbeats", "kv-dead-letters")
                .contains("kv-requests-value")
                .contains("http://localhost:" + http);
    }

    @Test
    void aTakenPortIsOneLineAndANonZeroExit() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            int exit = run("--data-dir", dataDir.toString(), "--kafka-port", taken.getLocalPort(),
                    "--controller-port", freePort(), "--registry-port", freePort(), "--exit-when-ready");

            assertThat(exit).isEqualTo(1);
            assertThat(err().strip()).isEqualTo("kvpipe: port " + taken.getLocalPort()
                    + " on localhost (Kafka broker) is already in use: stop what listens there or choose another port with --kafka-port");
        }
    }

    @Test
    void aTakenRegistryPortIsFoundBeforeTheBrokerStarts() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            int exit = run("--data-dir", dataDir.toString(), "--kafka-port", freePort(),
                    "--controller-port", freePort(), "--registry-port", taken.getLocalPort(), "--exit-when-ready");

            assertThat(exit).isEqualTo(1);
            assertThat(err().strip()).startsWith("kvpipe: port " + taken.getLocalPort() + " on localhost (schema registry)");
            // Nothing was started: the broker never formatted its directory.
            assertThat(dataDir.resolve("kafka")).doesNotExist();
        }
    }

    @Test
    void anUnreachableExternalRegistryIsOneLineAndANonZeroExit() throws Exception {
        int deadPort = freePort();

        int exit = run("--data-dir", dataDir.toString(), "--kafka-port", freePort(), "--controller-port", freePort(),
                "--schema-registry-url", "http://localhost:" + deadPort, "--exit-when-ready");

        assertThat(exit).isEqualTo(1);
        assertThat(err().strip()).startsWith("kvpipe: the schema registry at http://localhost:" + deadPort + " did not answer")
                .doesNotContain("\n");
    }

    @Test
    void anExternalKafkaWithoutARegistryUrlIsRefusedBeforeAnythingStarts() {
        int exit = run("--data-dir", dataDir.toString(), "--bootstrap-servers", "localhost:1", "--exit-when-ready");

        assertThat(exit).isEqualTo(1);
        assertThat(err().strip()).isEqualTo("kvpipe: with --bootstrap-servers, give --schema-registry-url too: "
                + "the embedded registry runs only with the embedded broker");
    }

    @Test
    void aBadClientPropertyIsOneLineAndANonZeroExit() {
        int exit = run("--data-dir", dataDir.toString(), "-X", "no-equals-sign", "--exit-when-ready");

        assertThat(exit).isEqualTo(1);
        assertThat(err().strip()).isEqualTo("kvpipe: a client property must be key=value, got 'no-equals-sign'");
    }

    private int run(Object... args) {
        String[] strings = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            strings[i] = String.valueOf(args[i]);
        }
        return Launcher.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), strings);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
