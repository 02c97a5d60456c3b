package io.kvpipe.producers.cli;

import io.kvpipe.producers.client.KvClient;
import io.kvpipe.producers.client.KvClientConfig;
import io.kvpipe.producers.config.ClientProperties;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code kvpipe-cli}: write to and read from a kvpipe pipeline from the command line.
 *
 * <p>Each write prints one line and exits 0 when committed, 1 when rejected (or aborted), 2 on an
 * error (one line on stderr, no stack trace). The options before or after the subcommand are the
 * same; see {@code kvpipe-cli --help}.
 *
 * <p>Subcommands are registered in {@link #newCommandLine}; a write-like tool extends
 * {@link ClientCommand} to get a connected {@link KvClient} from the common options.
 */
@Command(name = "kvpipe-cli", mixinStandardHelpOptions = true, version = "kvpipe-cli 0.1.0",
        description = "Write to and read from a kvpipe key-value pipeline.",
        subcommands = {
            PutCommand.class,
            GetCommand.class,
            DeleteCommand.class,
            CasCommand.class,
            AddCommand.class,
            TxnCommand.class,
            BenchCommand.class,
        },
        footer = {"", "Exit codes: 0 committed (get: found), 1 rejected or aborted (get: not found), 2 error."},
        sortOptions = false, synopsisSubcommandLabel = "COMMAND")
public final class KvpipeCli implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", scope = ScopeType.INHERIT, paramLabel = "HOST:PORT[,...]",
            defaultValue = "${env:KVPIPE_BOOTSTRAP_SERVERS:-localhost:9092}",
            description = "Kafka bootstrap servers (env KVPIPE_BOOTSTRAP_SERVERS; default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", scope = ScopeType.INHERIT, paramLabel = "URL[,...]",
            defaultValue = "${env:KVPIPE_SCHEMA_REGISTRY_URL:-http://localhost:8081}",
            description = "Schema registry URL(s), comma-separated (env KVPIPE_SCHEMA_REGISTRY_URL; default: ${DEFAULT-VALUE}).")
    String schemaRegistryUrl;

    @Option(names = "--config", scope = ScopeType.INHERIT, paramLabel = "FILE", defaultValue = "${env:KVPIPE_CONFIG}",
            description = "Kafka client properties file (security, timeouts...; also the registry's basic.auth.*) (env KVPIPE_CONFIG).")
    Path configFile;

    @Option(names = {"-X", "--client-property"}, scope = ScopeType.INHERIT, paramLabel = "KEY=VALUE",
            description = "A Kafka client property, overriding --config; repeatable.")
    List<String> clientProperties = new ArrayList<>();

    @Option(names = "--topic-prefix", scope = ScopeType.INHERIT, paramLabel = "PREFIX", defaultValue = "kv-",
            description = "Prefix of the pipeline's topics (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--timeout", scope = ScopeType.INHERIT, defaultValue = "30s", paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "How long to wait for Kafka and for the outcome (or the query server): 500ms, 30s, 2m, PT30S (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--client-id", scope = ScopeType.INHERIT, paramLabel = "ID",
            description = "Client id (default: random); it also picks the reply partition.")
    String clientId;

    @Option(names = "--batched-outcomes", scope = ScopeType.INHERIT,
            description = "Ask for outcomes in batches, one results record per client and processing step (default: off).")
    boolean batchedOutcomes;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Function<KvClientConfig, KvClient> clientFactory;

    KvpipeCli(Function<KvClientConfig, KvClient> clientFactory) {
        this.clientFactory = clientFactory;
    }

    public static void main(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            // Warnings and errors only, on stderr; Kafka's connection retries stay quiet.
            System.setProperty("logback.configurationFile", "kvpipe-cli-logback.xml");
        }
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs a command line; returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return newCommandLine(KvClient::create, out, err).execute(args);
    }

    /** The command line with its subcommands and error handling, writing to {@code out} and {@code err}. */
    static CommandLine newCommandLine(Function<KvClientConfig, KvClient> clientFactory, PrintWriter out,
            PrintWriter err) {
        CommandLine cli = new CommandLine(new KvpipeCli(clientFactory));
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println("kvpipe-cli: " + e.getMessage().replaceFirst("^Error: ", "") + " (see '" + cmd.getCommandSpec().qualifiedName()
                    + " --help')");
            return ExitCodes.ERROR;
        });
        cli.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            cmd.getErr().println("kvpipe-cli: " + Errors.oneLine(e));
            return ExitCodes.ERROR;
        });
        return cli;
    }

    /** Without a subcommand: the usage, on stderr, as a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.ERROR;
    }

    /** The client configuration the common options describe. */
    KvClientConfig clientConfig() {
        Map<String, Object> properties = ClientProperties.load(configFile, clientProperties);
        KvClientConfig.Builder builder = KvClientConfig.builder()
                .bootstrapServers(bootstrapServers)
                .schemaRegistryUrl(schemaRegistryUrl)
                .topicPrefix(topicPrefix)
                .kafkaProperties(properties)
                .requestTimeout(timeout)
                .batchedOutcomes(batchedOutcomes)
                .closeTimeout(Duration.ofSeconds(Math.min(5, Math.max(1, timeout.toSeconds()))));
        if (clientId != null) {
            builder.clientId(clientId);
        }
        return builder.build();
    }

    /** A connected client for the common options. */
    KvClient connect() {
        return clientFactory.apply(clientConfig());
    }

    Duration timeout() {
        return timeout;
    }
}
