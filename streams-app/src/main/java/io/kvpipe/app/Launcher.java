package io.kvpipe.app;

import io.kvpipe.app.streams.StreamsProperties;
import io.kvpipe.producers.config.ClientProperties;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main job. With no Kafka address it starts the embedded default (a real KRaft broker and a
 * schema registry in this process); given addresses, it uses those. Then it provisions the
 * pipeline's topics and schemas, says where everything listens, and serves until stopped.
 */
@Command(name = "kvpipe", mixinStandardHelpOptions = true, version = "kvpipe 0.1.0",
        description = "A Kafka-native, replicated, transactional key-value pipeline.",
        sortOptions = false)
public final class Launcher implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", defaultValue = "${env:KVPIPE_BOOTSTRAP_SERVERS}",
            description = "Kafka to use (env KVPIPE_BOOTSTRAP_SERVERS). Without it, an embedded broker starts.")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", defaultValue = "${env:KVPIPE_SCHEMA_REGISTRY_URL}",
            description = "Schema registry to use (env KVPIPE_SCHEMA_REGISTRY_URL). Without it, an embedded one starts.")
    String schemaRegistryUrl;

    @Option(names = "--config", defaultValue = "${env:KVPIPE_CONFIG}", paramLabel = "FILE",
            description = "Kafka client properties (security, timeouts...) for every client (env KVPIPE_CONFIG).")
    Path configFile;

    @Option(names = {"-X", "--client-property"}, paramLabel = "KEY=VALUE",
            description = "A Kafka client property, overriding the --config file; repeatable.")
    List<String> clientProperties = new ArrayList<>();

    @Option(names = "--host", defaultValue = "localhost", description = "Host the embedded services bind and advertise (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--kafka-port", defaultValue = "9092", description = "Embedded broker port (default: ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(names = "--controller-port", defaultValue = "9093", description = "Embedded KRaft controller port (default: ${DEFAULT-VALUE}).")
    int controllerPort;

    @Option(names = "--registry-port", defaultValue = "8081", description = "Embedded schema registry port (default: ${DEFAULT-VALUE}).")
    int registryPort;

    @Option(names = "--data-dir", defaultValue = "${env:KVPIPE_DATA_DIR:-./data}",
            description = "Where embedded services keep their data across restarts (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--wipe", description = "Delete the embedded data directory before starting.")
    boolean wipe;

    @Option(names = "--topic-prefix", defaultValue = "kv-", description = "Prefix of every pipeline topic (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--partitions", defaultValue = "8", description = "Partitions of the requests and protocol topics (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--replication-factor", description = "Replication factor of new topics (default: 1 embedded, the broker's default otherwise).")
    Short replicationFactor;

    @Option(names = "--http-port", defaultValue = "7070", description = "This instance's query server port (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--advertised-host", description = "Host other instances reach this one's query server at (default: --host).")
    String advertisedHost;

    @Option(names = "--application-id", description = "Kafka Streams application id shared by all instances (default: <topic-prefix>app).")
    String applicationId;

    @Option(names = "--standby-replicas", defaultValue = "" + StreamsProperties.DEFAULT_STANDBY_REPLICAS, description = "Standby replicas per partition where more than one instance runs (default: ${DEFAULT-VALUE}).")
    int standbyReplicas;

    @Option(names = "--stream-threads", defaultValue = "" + StreamsProperties.DEFAULT_STREAM_THREADS, description = "Stream threads of this instance (default: ${DEFAULT-VALUE}).")
    int streamThreads;

    @Option(names = "--demo-writes", defaultValue = "100000", description = "Writes of the demo workload after start-up; 0 for none (default: ${DEFAULT-VALUE}).")
    int demoWrites;

    @Option(names = "--demo-keys", defaultValue = "10000", description = "Keys the demo writes over (default: ${DEFAULT-VALUE}).")
    int demoKeys;

    @Option(names = "--exit-when-ready", description = "Stop right after start-up instead of serving (for scripts and checks).")
    boolean exitWhenReady;

    private final PrintStream out;
    private final Deque<Stoppable> environmentStack = new ArrayDeque<>();

    /** Something to stop at exit, without checked exceptions. */
    private interface Stoppable extends AutoCloseable {
        @Override
        void close();
    }

    Launcher(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /** Runs the command line and returns the exit code; errors are one line on {@code err}. */
    static int run(PrintStream out, PrintStream err, String... args) {
        CommandLine cli = new CommandLine(new Launcher(out));
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof StartupException) {
                err.println("kvpipe: " + e.getMessage());
            } else {
                err.println("kvpipe: unexpected failure: " + e);
            }
            return 1;
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() throws Exception {
        Map<String, Object> properties;
        try {
            properties = ClientProperties.load(configFile, clientProperties);
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage(), e);
        }
        Environment.Settings settings = new Environment.Settings(host, kafkaPort, controllerPort, registryPort, dataDir,
                wipe, blankToNull(bootstrapServers), blankToNull(schemaRegistryUrl), properties);
        Environment environment = Environment.start(settings);
        environmentStack.push(environment::close);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            closeAll();
            stopped.countDown();
        }, "kvpipe-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        AppInstance app;
        try {
            Pipeline pipeline = Pipeline.provision(environment, topicPrefix, partitions, replicationFactor);
            app = AppInstance.start(environment, pipeline, instanceSettings());
            environmentStack.push(app::close);
            app.awaitRunning(Duration.ofSeconds(120));
            new StartupReport(out).print(environment, pipeline, app);
            if (demoWrites > 0 && !exitWhenReady) {
                new DemoWorkload(out).run(environment, pipeline, app, demoWrites, demoKeys);
            }
        } catch (RuntimeException e) {
            Runtime.getRuntime().removeShutdownHook(hook);
            closeAll();
            throw e;
        }
        if (exitWhenReady) {
            Runtime.getRuntime().removeShutdownHook(hook);
            closeAll();
            return 0;
        }
        out.println("Serving; press Ctrl-C to stop.");
        stopped.await();
        return 0;
    }

    private AppInstance.Settings instanceSettings() {
        String advertised = advertisedHost == null ? host : advertisedHost;
        String id = advertised + ":" + httpPort;
        return new AppInstance.Settings(applicationId == null ? topicPrefix + "app" : applicationId, id, host, httpPort,
                advertised, dataDir.resolve("streams").resolve("instance-" + httpPort), standbyReplicas, streamThreads);
    }

    /** Stops what started, the app before the broker it runs on. */
    private synchronized void closeAll() {
        while (!environmentStack.isEmpty()) {
            environmentStack.pop().close();
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
