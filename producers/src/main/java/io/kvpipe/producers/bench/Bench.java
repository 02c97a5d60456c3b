package io.kvpipe.producers.bench;

import io.kvpipe.avro.Operation;
import io.kvpipe.avro.Put;
import io.kvpipe.avro.ReplyTo;
import io.kvpipe.avro.Request;
import io.kvpipe.producers.client.KvClient;
import io.kvpipe.producers.client.KvClientConfig;
import io.kvpipe.schemas.serde.TrustedAvroClasses;
import io.kvpipe.schemas.serde.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * One benchmark run, measurements on the same broker, one after the other: the pipeline end to
 * end with single-key puts (requests through the client, outcomes back), then each transaction
 * mode asked for (transactions of 2, 4... keys, see {@link TransactionSettings}), the raw
 * producer, and the peer Streams app, the last two with records of the pipeline's put request
 * size. Ratios from one run are what to compare: the machines are shared and absolute figures
 * move by a quarter between runs.
 */
public final class Bench {

    private final KvClientConfig config;
    private final Supplier<KvClient> clients;

    public Bench(KvClientConfig config, Supplier<KvClient> clients) {
        this.config = config;
        this.clients = clients;
    }

    /** What one run measured. */
    public record Report(LoadRun.Settings settings, int recordBytes, boolean batchedOutcomes, LoadRun.Result pipeline,
            double rawRecordsPerSecond, double peerRecordsPerSecond, List<TransactionRun> transactions) {

        public Report {
            transactions = List.copyOf(transactions);
        }

        /** Requests whose outcome is unknown, in all modes. */
        public long failed() {
            return pipeline.failed() + transactions.stream().mapToLong(t -> t.result().failed()).sum();
        }

        /**
         * One JSON object: the single-key figures, then for each transaction mode its object under
         * {@code txn<size>} and {@code ratio_txn<size>_vs_single} (its committed transactions per
         * second over the single-key writes per second).
         */
        public String toJson() {
            String single = singleJson();
            if (transactions.isEmpty()) {
                return single;
            }
            StringBuilder json = new StringBuilder(single.substring(0, single.length() - 1));
            for (TransactionRun t : transactions) {
                json.append(",\"").append(t.name()).append("\":").append(t.toJson());
            }
            for (TransactionRun t : transactions) {
                json.append(String.format(Locale.ROOT, ",\"ratio_%s_vs_single\":%.4f", t.name(),
                        t.throughput() / pipeline.throughput()));
            }
            return json.append('}').toString();
        }

        private String singleJson() {
            return String.format(Locale.ROOT, "{\"requests\":%d,\"keys\":%d,\"clients\":%d,\"in_flight\":%d,\"record_bytes\":%d,"
                            + "\"committed\":%d,\"rejected\":%d,\"failed\":%d,\"throughput_ops_s\":%.1f,"
                            + "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"max_ms\":%.3f,"
                            + "\"raw_producer_records_s\":%.1f,\"peer_streams_records_s\":%.1f,"
                            + "\"ratio_vs_raw\":%.4f,\"ratio_vs_peer\":%.4f,\"requests_per_record\":%.1f,\"batched_outcomes\":%b,%s}",
                    settings.requests(), settings.keys(), settings.clients(), settings.inFlight(), recordBytes, pipeline.committed(),
                    pipeline.rejected(), pipeline.failed(), pipeline.throughput(), pipeline.percentileMs(50),
                    pipeline.percentileMs(99), pipeline.percentileMs(99.9), pipeline.latencyMicros().getMaxValue() / 1000.0,
                    rawRecordsPerSecond, peerRecordsPerSecond, pipeline.throughput() / rawRecordsPerSecond,
                    pipeline.throughput() / peerRecordsPerSecond, pipeline.requestsPerRecord(), batchedOutcomes,
                    pipeline.splitJson());
        }

        public String toTable() {
            StringBuilder table = new StringBuilder(singleTable());
            for (TransactionRun t : transactions) {
                table.append(System.lineSeparator()).append(t.toTableLine(pipeline.throughput()));
            }
            return table.toString();
        }

        private String singleTable() {
            return String.format(Locale.ROOT, """
                    %d requests over %d keys from %d clients (%d outstanding each), %d-byte requests, %s
                      pipeline (end to end)   %10.0f ops/s   p50 %.1f ms   p99 %.1f ms   p99.9 %.1f ms   (%d committed, %d rejected, %d failed; %.1f requests per record)
                        of which (p50)        %d ms to the step that decided the outcome, %d ms from it back (its commit included)
                      raw producer            %10.0f records/s   pipeline = %.3f of it
                      peer Streams EOS app    %10.0f records/s   pipeline = %.3f of it""",
                    settings.requests(), settings.keys(), settings.clients(), settings.inFlight(), recordBytes,
                    batchedOutcomes ? "outcomes in batches" : "one outcome record each", pipeline.throughput(),
                    pipeline.percentileMs(50), pipeline.percentileMs(99), pipeline.percentileMs(99.9),
                    pipeline.committed(), pipeline.rejected(), pipeline.failed(), pipeline.requestsPerRecord(),
                    pipeline.untilDecidedMs(50), pipeline.afterDecidedMs(50),
                    rawRecordsPerSecond,
                    pipeline.throughput() / rawRecordsPerSecond, peerRecordsPerSecond,
                    pipeline.throughput() / peerRecordsPerSecond);
        }
    }

    /** Runs the pipeline, then the raw producer, then the peer, with the same counts. */
    public Report run(LoadRun.Settings settings, int partitions) throws Exception {
        return run(settings, partitions, 0);
    }

    /** As {@link #run(LoadRun.Settings, int, int, TransactionSettings)} without transaction modes. */
    public Report run(LoadRun.Settings settings, int partitions, int warmUp) throws Exception {
        return run(settings, partitions, warmUp, TransactionSettings.none());
    }

    /**
     * As {@link #run(LoadRun.Settings, int)}, but each run first handles {@code warmUp} requests
     * or records, unmeasured, the same for all, so that what is compared is not how much of each
     * one's code the JVMs (the app's, with the broker, and this one) had compiled yet. The
     * pipeline's modes and the peer are timed from when outcomes (outputs) flow after their
     * warm-up, so their steady rates are compared, not their times to fill (the pipeline) or to
     * start (the peer). 0 measures from cold, in that order.
     */
    public Report run(LoadRun.Settings settings, int partitions, int warmUp, TransactionSettings txn)
            throws Exception {
        if (!txn.sizes().isEmpty()) {
            try (KvClient client = clients.get()) {
                txn.checkAgainst(client.requestPartitions());
            }
        }
        int recordBytes = requestBytes(settings.valueBytes());
        LoadRun.Result pipeline = LoadRun.run(clients, settings, warmUp,
                Workload.puts(settings.keys(), settings.valueBytes()), done -> { });
        stopIfFailed("single-key", pipeline);
        List<TransactionRun> transactions = new ArrayList<>();
        for (int size : txn.sizes()) {
            transactions.add(runTransactions(settings, txn, size, warmUp));
        }
        Map<String, Object> kafka = new HashMap<>(config.kafkaProperties());
        kafka.put("bootstrap.servers", config.bootstrapServers().orElse("localhost:9092"));
        String runId = Long.toString(System.currentTimeMillis(), 36);
        if (warmUp > 0) {
            RawProducerRun.run(kafka, "bench-raw-warm-" + runId, partitions, warmUp, settings.keys(), recordBytes);
        }
        double raw = RawProducerRun.run(kafka, "bench-raw-" + runId, partitions, settings.requests(), settings.keys(),
                recordBytes);
        double peer = PeerStreamsRun.run(kafka, runId, partitions, warmUp, settings.requests(), settings.keys(),
                recordBytes);
        return new Report(settings, recordBytes, config.batchedOutcomes(), pipeline, raw, peer, transactions);
    }

    /** One transaction mode: {@code size}-key transactions, after as many unmeasured as {@code warmUp}. */
    private TransactionRun runTransactions(LoadRun.Settings single, TransactionSettings txn, int size, int warmUp)
            throws InterruptedException {
        Workload workload = Workload.transactions(new TransactionKeys(txn.keySpace(), size, txn.crossShare()),
                single.valueBytes());
        LoadRun.Result result = LoadRun.run(clients, new LoadRun.Settings(txn.transactions(), txn.keySpace(),
                single.clients(), txn.inFlight(), single.valueBytes()), warmUp, workload, done -> { });
        stopIfFailed(size + "-key transaction", result);
        return new TransactionRun(size, txn.crossShare(), txn.inFlight(), result);
    }

    /** Goes no further after a run in which a request failed: see {@link LoadRun}. */
    private static void stopIfFailed(String mode, LoadRun.Result result) {
        if (result.firstFailure() != null) {
            throw new BenchStoppedException(mode, result);
        }
    }

    /** The size of one put request on the wire, framing included, as the client writes it. */
    static int requestBytes(int valueBytes) {
        TrustedAvroClasses.ensure();
        Request request = Request.newBuilder()
                .setRequestId(UUID.randomUUID() + "-123456")
                .setReplyTo(new ReplyTo(UUID.randomUUID().toString(), 3))
                .setOps(List.of(new Operation("key-1234", new Put("v".repeat(valueBytes)))))
                .setTimestampMs(System.currentTimeMillis())
                .build();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new SpecificDatumWriter<>(Request.class).write(request, encoder);
            encoder.flush();
            return WireFormat.HEADER_SIZE + out.size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
