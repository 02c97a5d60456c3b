package io.kvpipe.app.embedded;

import io.kvpipe.app.Failures;
import io.kvpipe.app.StartupException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka (KRaft, combined broker and controller) running inside this JVM: the
 * broker from Maven Central, configured like a production broker (stable APIs and features only,
 * the latest production metadata version with its default feature levels, so transactions v2 is
 * on), shrunk to one node (replication factor 1 for internal topics).
 *
 * <p>Its log directory survives a restart: a directory is formatted once, with a fresh cluster id,
 * and a later start reuses it with all its topics and data.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final Path logDir;

    private EmbeddedKafkaBroker(KafkaRaftServer server, String bootstrapServers, Path logDir) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.logDir = logDir;
    }

    /**
     * Formats {@code logDir} if it is new, starts the broker and waits until it answers.
     *
     * @param host the interface and advertised host name, e.g. {@code localhost}
     * @param port the client listener's port (9092 by default)
     * @param controllerPort the KRaft controller listener's port
     * @param logDir where the broker keeps its log; created if absent
     * @throws StartupException if a port is taken, the directory is unusable or the broker does not
     *     come up within a minute
     */
    public static EmbeddedKafkaBroker start(String host, int port, int controllerPort, Path logDir) {
        Ports.requireFree(host, port, "Kafka broker", "--kafka-port");
        Ports.requireFree(host, controllerPort, "Kafka controller", "--controller-port");
        Properties props = brokerConfig(host, port, controllerPort, logDir);
        KafkaConfig config = new KafkaConfig(props, false);
        formatIfNew(logDir);
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        String bootstrap = host + ":" + port;
        try {
            server.startup();
        } catch (RuntimeException e) {
            shutdownQuietly(server);
            throw new StartupException("the embedded Kafka broker failed to start: " + Failures.rootMessage(e), e);
        }
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(server, bootstrap, logDir);
        broker.awaitReady();
        log.info("Kafka broker listening on {} (data in {})", bootstrap, logDir.toAbsolutePath());
        return broker;
    }

    /** The address clients connect to, e.g. {@code localhost:9092}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Where the broker keeps its log. */
    public Path logDir() {
        return logDir;
    }

    /** Stops the broker and waits for it; the log directory stays for the next start. */
    @Override
    public void close() {
        shutdownQuietly(server);
    }

    private static Properties brokerConfig(String host, int port, int controllerPort, Path logDir) {
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", String.valueOf(NODE_ID));
        props.put("controller.quorum.voters", NODE_ID + "@" + host + ":" + controllerPort);
        props.put("listeners", "PLAINTEXT://" + host + ":" + port + "," + CONTROLLER_LISTENER + "://" + host + ":"
                + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://" + host + ":" + port);
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("log.dirs", logDir.toAbsolutePath().toString());
        // One node: the internal topics cannot have more replicas than that.
        props.put("offsets.topic.replication.factor", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        // Topics are created on purpose, with their partition counts, never by a typo.
        props.put("auto.create.topics.enable", "false");
        // Behave like a production broker: the test kit's unstable switches stay off.
        props.put("unstable.api.versions.enable", "false");
        props.put("unstable.feature.versions.enable", "false");
        // A restart re-registers the node within about 3 s instead of 10.
        props.put("broker.heartbeat.interval.ms", "500");
        props.put("broker.session.timeout.ms", "3000");
        return props;
    }

    private static void formatIfNew(Path logDir) {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        try {
            Files.createDirectories(logDir);
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .addDirectory(logDir.toAbsolutePath().toString())
                    .setMetadataLogDirectory(logDir.toAbsolutePath().toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    // The latest production version with its default feature levels; setting the
                    // version alone would leave transactions v2 and the new group protocols off.
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setUnstableFeatureVersionsEnabled(false)
                    .run();
        } catch (IOException e) {
            throw new StartupException("cannot create the Kafka data directory " + logDir.toAbsolutePath() + ": "
                    + e.getMessage(), e);
        } catch (Exception e) {
            throw new StartupException("cannot format the Kafka data directory " + logDir.toAbsolutePath() + ": "
                    + Failures.rootMessage(e), e);
        }
    }

    private void awaitReady() {
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(config)) {
            while (true) {
                try {
                    if (!admin.describeCluster(new DescribeClusterOptions().timeoutMs(5_000))
                            .nodes().get(10, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        close();
                        throw new StartupException("the embedded Kafka broker on " + bootstrapServers
                                + " did not come up within " + READY_TIMEOUT.toSeconds() + " s: " + Failures.rootMessage(e));
                    }
                }
                if (System.nanoTime() > deadline) {
                    close();
                    throw new StartupException("the embedded Kafka broker on " + bootstrapServers
                            + " registered no node within " + READY_TIMEOUT.toSeconds() + " s");
                }
                pause();
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while waiting for the embedded Kafka broker");
        }
    }

    private static void shutdownQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            log.warn("Kafka broker shutdown: {}", Failures.rootMessage(e));
        }
    }

}
