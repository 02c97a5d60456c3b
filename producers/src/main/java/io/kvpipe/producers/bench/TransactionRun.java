package io.kvpipe.producers.bench;

import io.kvpipe.producers.client.RejectReason;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What one transaction mode of a bench run measured: transactions of {@code size} keys, at most
 * {@code inFlight} outstanding per client. Throughput counts committed transactions only; latency
 * covers every outcome, aborts included.
 *
 * <p>The concurrency is part of the figure. Where the measured transactions are not many more than
 * the outstanding ones, the measurement is mostly the pipeline draining what was sent before it
 * began, which can read higher than the steady rate: keep {@code --txn-requests} well above
 * {@code --clients} times {@code --txn-in-flight}.
 */
public record TransactionRun(int size, double crossShare, int inFlight, LoadRun.Result result) {

    /** The mode's name in the bench output: {@code txn2}, {@code txn4}. */
    public String name() {
        return "txn" + size;
    }

    /** Committed transactions per second. */
    public double throughput() {
        return result.committedPerSecond();
    }

    String toJson() {
        return String.format(Locale.ROOT, "{\"transactions\":%d,\"keys_per_txn\":%d,\"cross_share\":%.2f,\"in_flight\":%d,"
                        + "\"throughput_txn_s\":%.1f,\"key_writes_s\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
                        + "\"p999_ms\":%.3f,\"max_ms\":%.3f,\"committed\":%d,\"rejected\":%d,\"aborted\":%d,"
                        + "\"failed\":%d,\"aborts_by_reason\":%s,\"rejects_by_reason\":%s,\"requests_per_record\":%.1f,%s}",
                result.committed() + result.rejected() + result.aborted() + result.failed(), size, crossShare, inFlight,
                throughput(), throughput() * size, result.percentileMs(50), result.percentileMs(99),
                result.percentileMs(99.9), result.latencyMicros().getMaxValue() / 1000.0, result.committed(),
                result.rejected(), result.aborted(), result.failed(), json(result.abortedByReason()),
                json(result.rejectedByReason()), result.requestsPerRecord(), result.splitJson());
    }

    String toTableLine(double singleThroughput) {
        String label = size + "-key txns, " + String.format(Locale.ROOT, "%.0f%% cross", crossShare * 100);
        return String.format(Locale.ROOT, "  %-24s%10.0f txn/s   p50 %.1f ms   p99 %.1f ms"
                        + "   (%d committed, %d rejected%s, %d aborted%s, %d failed; %d outstanding per client)"
                        + "   = %.3f of single-key writes",
                label, throughput(), result.percentileMs(50), result.percentileMs(99), result.committed(), result.rejected(),
                text(result.rejectedByReason()), result.aborted(), text(result.abortedByReason()), result.failed(),
                inFlight, throughput() / singleThroughput);
    }

    private static String json(Map<RejectReason, Long> byReason) {
        return byReason.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(e -> "\"" + e.getKey().name() + "\":" + e.getValue())
                .collect(Collectors.joining(",", "{", "}"));
    }

    private static String text(Map<RejectReason, Long> byReason) {
        return byReason.isEmpty() ? "" : byReason.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(e -> e.getKey().name() + " " + e.getValue())
                .collect(Collectors.joining(", ", " [", "]"));
    }
}
