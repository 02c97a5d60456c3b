package io.kvpipe.app;

import io.kvpipe.app.embedded.EmbeddedKafkaBroker;
import io.kvpipe.app.embedded.EmbeddedSchemaRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka cluster and schema registry the app works against: external ones when their addresses
 * are given, otherwise the embedded default (a real KRaft broker and a registry in this process,
 * their data in one directory that survives restarts). Closing it stops whatever it started.
 */
public final class Environment implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Environment.class);
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(15);

    private final String bootstrapServers;
    private final String schemaRegistryUrl;
    private final Map<String, Object> clientConfig;
    private final EmbeddedKafkaBroker broker;
    private final EmbeddedSchemaRegistry registry;
    private final Deque<AutoCloseable> started;

    private Environment(String bootstrapServers, String schemaRegistryUrl, Map<String, Object> clientConfig,
            EmbeddedKafkaBroker broker, EmbeddedSchemaRegistry registry, Deque<AutoCloseable> started) {
        this.bootstrapServers = bootstrapServers;
        this.schemaRegistryUrl = schemaRegistryUrl;
        this.clientConfig = clientConfig;
        this.broker = broker;
        this.registry = registry;
        this.started = started;
    }

    /** Where and how to find or start Kafka and the registry. */
    public record Settings(
            String host,
            int kafkaPort,
            int controllerPort,
            int registryPort,
            Path dataDir,
            boolean wipe,
            String bootstrapServers,
            String schemaRegistryUrl,
            Map<String, Object> clientProperties) {

        /** Embedded defaults on the well-known ports, data under {@code dataDir}. */
        public static Settings embedded(Path dataDir) {
            return new Settings("localhost", 9092, 9093, 8081, dataDir, false, null, null, Map.of());
        }
    }

    /**
     * Starts or checks Kafka, then the registry.
     *
     * @throws StartupException if a port is taken, or a broker or registry does not answer
     */
    public static Environment start(Settings settings) {
        if (settings.bootstrapServers() != null && settings.schemaRegistryUrl() == null) {
            // The embedded registry is a single writer of _schemas: on a shared cluster a second one
            // would hand out clashing ids. It comes only with the embedded broker.
            throw new StartupException("with --bootstrap-servers, give --schema-registry-url too: the embedded "
                    + "registry runs only with the embedded broker");
        }
        Deque<AutoCloseable> started = new ArrayDeque<>();
        try {
            if (settings.wipe() && settings.bootstrapServers() == null) {
                wipe(settings.dataDir());
            }
            if (settings.schemaRegistryUrl() == null) {
                // Before the broker starts: a taken port should not cost a broker start and stop.
                EmbeddedSchemaRegistry.requirePortFree(settings.host(), settings.registryPort());
            }
            Map<String, Object> clientConfig = new HashMap<>(settings.clientProperties());
            EmbeddedKafkaBroker broker = null;
            String bootstrap = settings.bootstrapServers();
            if (bootstrap == null) {
                broker = EmbeddedKafkaBroker.start(settings.host(), settings.kafkaPort(), settings.controllerPort(),
                        settings.dataDir().resolve("kafka"));
                started.push(broker);
                bootstrap = broker.bootstrapServers();
            }
            clientConfig.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            if (broker == null) {
                requireKafka(bootstrap, clientConfig);
            }

            EmbeddedSchemaRegistry registry = null;
            String registryUrl = settings.schemaRegistryUrl();
            if (registryUrl == null) {
                registry = EmbeddedSchemaRegistry.start(settings.host(), settings.registryPort(), clientConfig,
                        broker == null ? -1 : 1);
                started.push(registry);
                registryUrl = registry.url();
            } else {
                requireRegistry(registryUrl);
            }
            return new Environment(bootstrap, registryUrl, Map.copyOf(clientConfig), broker, registry, started);
        } catch (RuntimeException e) {
            Closing.closeAll(started, log);
            throw e;
        }
    }

    /** The Kafka bootstrap address, e.g. {@code localhost:9092}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The schema registry's base URL, e.g. {@code http://localhost:8081}. */
    public String schemaRegistryUrl() {
        return schemaRegistryUrl;
    }

    /** The pass-through client properties with {@code bootstrap.servers} set: a base for every client. */
    public Map<String, Object> clientConfig() {
        return clientConfig;
    }

    /** Whether the broker runs in this process. */
    public boolean embeddedKafka() {
        return broker != null;
    }

    /** Whether the registry runs in this process. */
    public boolean embeddedRegistry() {
        return registry != null;
    }

    /** Where the embedded broker keeps its log, if it runs here. */
    public Path kafkaDataDir() {
        return broker == null ? null : broker.logDir();
    }

    @Override
    public void close() {
        Closing.closeAll(started, log);
    }

    private static void wipe(Path dataDir) {
        if (!Files.exists(dataDir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dataDir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
            log.info("Wiped {}", dataDir.toAbsolutePath());
        } catch (IOException e) {
            throw new StartupException("cannot wipe " + dataDir.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    private static void requireKafka(String bootstrap, Map<String, Object> clientConfig) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, (int) CHECK_TIMEOUT.toMillis());
        config.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CHECK_TIMEOUT.toMillis());
        try (Admin admin = Admin.create(config)) {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) CHECK_TIMEOUT.toMillis()))
                    .nodes().get(CHECK_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new StartupException("Kafka at " + bootstrap + " did not answer within " + CHECK_TIMEOUT.toSeconds()
                    + " s: check --bootstrap-servers and the client properties (security settings)");
        }
    }

    private static void requireRegistry(String url) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(CHECK_TIMEOUT).build();
        String first = url.split(",")[0].trim();
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(stripSlash(first) + "/subjects"))
                    .timeout(CHECK_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() >= 500) {
                throw new StartupException("the schema registry at " + first + " answered HTTP " + response.statusCode());
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new StartupException("the schema registry at " + first + " did not answer: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                    + " (check --schema-registry-url)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while checking the schema registry at " + first);
        }
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
