package io.kvpipe.producers.cli;

import io.kvpipe.producers.bench.Bench;
import io.kvpipe.producers.bench.LoadRun;
import io.kvpipe.producers.bench.TransactionSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code bench}: the pipeline's end-to-end throughput and latency through the producer API, beside
 * the raw Kafka producer and a plain exactly-once Kafka Streams app on the same broker, in one run;
 * with {@code --txn-keys}, also transactions of those sizes (across partitions, by default).
 */
@Command(name = "bench", description = "Benchmark the pipeline against the raw producer and a plain Kafka Streams app.",
        mixinStandardHelpOptions = true)
final class BenchCommand implements Callable<Integer> {

    @ParentCommand
    KvpipeCli cli;

    @Option(names = "--requests", defaultValue = "100000", description = "Requests (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--keys", defaultValue = "10000", description = "Distinct keys (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--clients", defaultValue = "4", description = "Concurrent clients (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--in-flight", defaultValue = "2000", description = "Outstanding requests per client (default: ${DEFAULT-VALUE}).")
    int inFlight;

    @Option(names = "--value-bytes", defaultValue = "100", description = "Bytes per value (default: ${DEFAULT-VALUE}).")
    int valueBytes;

    @Option(names = "--partitions", defaultValue = "8", description = "Partitions of the raw and peer topics; match the pipeline's (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--warmup", defaultValue = "50000", description = "Unmeasured requests (records, transactions) each run "
            + "handles first, so all are compared warm, not by how much of their code the JVMs had compiled; the "
            + "measured ones follow without a pause, so steady rates are compared; 0 measures from cold "
            + "(default: ${DEFAULT-VALUE}).")
    int warmUp;

    @Option(names = "--txn-keys", split = ",", paramLabel = "N[,N...]",
            description = "Also run transactions of N keys each, one mode per N, e.g. 2,4 (default: none).")
    List<Integer> txnKeys = new ArrayList<>();

    @Option(names = "--cross-share", defaultValue = "1.0", paramLabel = "SHARE",
            description = "Share of the transactions whose keys lie on different partitions, 0 to 1; the rest "
                    + "take keys of one partition (default: ${DEFAULT-VALUE}).")
    double crossShare;

    @Option(names = "--txn-requests", defaultValue = "" + TransactionSettings.DEFAULT_TRANSACTIONS, paramLabel = "N",
            description = "Transactions per mode (default: ${DEFAULT-VALUE}).")
    int txnRequests;

    @Option(names = "--txn-key-space", defaultValue = "" + TransactionSettings.DEFAULT_KEY_SPACE, paramLabel = "N",
            description = "Distinct keys transactions pick from; large, so that lock conflicts are rare (default: ${DEFAULT-VALUE}).")
    int txnKeySpace;

    @Option(names = "--txn-in-flight", paramLabel = "N",
            description = "Outstanding transactions per client (default: as --in-flight, so every mode runs at the same concurrency).")
    Integer txnInFlight;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (warmUp < 0) {
            throw new CliException("--warmup must not be negative, got " + warmUp);
        }
        TransactionSettings txn;
        try {
            txn = new TransactionSettings(txnKeys, crossShare, txnRequests, txnKeySpace,
                    txnInFlight == null ? inFlight : txnInFlight);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), e);
        }
        Bench.Report report = new Bench(cli.clientConfig(), cli::connect)
                .run(new LoadRun.Settings(requests, keys, clients, inFlight, valueBytes), partitions, warmUp, txn);
        cli.spec.commandLine().getOut().println(json ? report.toJson() : report.toTable());
        // Rejections and aborts are outcomes; only requests without one make the run an error.
        return report.failed() == 0 ? ExitCodes.OK : ExitCodes.ERROR;
    }
}
