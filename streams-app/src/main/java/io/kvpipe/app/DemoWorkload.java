package io.kvpipe.app;

import io.kvpipe.producers.bench.LoadRun;
import io.kvpipe.producers.client.KvClient;
import io.kvpipe.producers.client.KvClientConfig;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The main job's demonstration: writes through the producer API (as an application would), shows
 * progress, sums up throughput and latency, runs transfers between accounts as transactions
 * ({@link DemoTransfers}), and reads a few keys back over the query endpoints.
 */
final class DemoWorkload {

    private static final int TRANSFER_ACCOUNTS = 5_000;
    private static final int TRANSFERS = 2_000;

    private final PrintStream out;

    DemoWorkload(PrintStream out) {
        this.out = out;
    }

    void run(Environment environment, Pipeline pipeline, AppInstance app, int writes, int keys) throws Exception {
        KvClientConfig config = KvClientConfig.builder()
                .bootstrapServers(environment.bootstrapServers())
                .schemaRegistryUrl(environment.schemaRegistryUrl())
                .topicPrefix(pipeline.topics().prefix())
                .kafkaProperties(environment.clientConfig())
                .build();
        out.printf("Demo: %,d writes over %,d keys through the producer API%n", writes, keys);
        LoadRun.Result result;
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("writes").setInitialMax(writes)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).continuousUpdate()
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(out)).build()) {
            result = LoadRun.run(() -> KvClient.create(config), new LoadRun.Settings(writes, keys, 2, 1000, 32),
                    bar::stepTo);
        }
        out.printf(Locale.ROOT, "Demo done: %,d committed, %,d rejected, %,d failed in %.1f s: %,.0f writes/s; "
                        + "latency p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                result.committed(), result.rejected(), result.failed(), result.seconds(), result.throughput(),
                result.percentileMs(50), result.percentileMs(99), result.latencyMicros().getMaxValue() / 1000.0);
        if (result.firstFailure() != null) {
            out.printf(Locale.ROOT, "Demo stopped at its first failed write, %,d writes not sent: %s%n", result.notSent(),
                    result.failureMessage());
            return;
        }
        try (KvClient client = KvClient.create(config)) {
            new DemoTransfers(out).run(client, app.queryUrl(), TRANSFER_ACCOUNTS, TRANSFERS);
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (String key : List.of("key-0", "key-" + keys / 2, "key-" + (keys - 1))) {
            String url = app.queryUrl() + "/kv/" + key;
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            out.printf("  GET %s -> %d %s%n", url, response.statusCode(), response.body());
        }
    }
}
