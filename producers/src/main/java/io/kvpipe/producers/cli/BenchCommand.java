package io.kvpipe.producers.cli;

import io.kvpipe.producers.bench.Bench;
import io.kvpipe.producers.bench.LoadRun;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code bench}: the pipeline's end-to-end throughput and latency through the producer API, beside
 * the raw Kafka producer and a plain exactly-once Kafka Streams app on the same broker, in one run.
 */
@Command(name = "bench", description = "Benchmark the pipeline against the raw producer and a plain Kafka Streams app.")
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

    @Option(names = "--warmup", defaultValue = "0", description = "Unmeasured requests (records) each of the three runs first, "
            + "so all are compared warm; 0 measures from cold (default: ${DEFAULT-VALUE}).")
    int warmUp;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (warmUp < 0) {
            throw new CliException("--warmup must not be negative, got " + warmUp);
        }
        Bench.Report report = new Bench(cli.clientConfig(), cli::connect)
                .run(new LoadRun.Settings(requests, keys, clients, inFlight, valueBytes), partitions, warmUp);
        cli.spec.commandLine().getOut().println(json ? report.toJson() : report.toTable());
        return report.pipeline().failed() == 0 ? ExitCodes.OK : ExitCodes.ERROR;
    }
}
