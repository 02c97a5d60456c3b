package io.kvpipe.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvpipe.producers.client.KvClient;
import io.kvpipe.producers.client.Op;
import io.kvpipe.producers.client.WriteResult;
import io.kvpipe.producers.client.WrittenKey;
import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The demo's transaction part: random transfers between accounts, each a guarded debit and a credit
 * in one transaction (most across partitions), then the sum of the balances read back over HTTP,
 * which transactions keep unchanged, and one transfer's status from {@code GET /txn/{id}}.
 */
final class DemoTransfers {

    private static final long OPENING_BALANCE = 1_000;
    /** Few enough in flight over the accounts that lock conflicts stay rare (a few percent). */
    private static final int IN_FLIGHT = 100;

    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    DemoTransfers(PrintStream out) {
        this.out = out;
    }

    /** What the transfers came to: how they ended (by outcome) and the balances' sum before and after. */
    record Summary(Map<String, Integer> ended, long openingSum, long sum, JsonNode oneTransfer) {}

    Summary run(KvClient client, String queryUrl, int accounts, int transfers) throws Exception {
        List<String> names = new ArrayList<>();
        List<CompletableFuture<WriteResult>> opened = new ArrayList<>();
        for (int i = 0; i < accounts; i++) {
            names.add("acct-" + i);
            opened.add(client.put(names.get(i), Long.toString(OPENING_BALANCE)));
        }
        CompletableFuture.allOf(opened.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        out.printf(Locale.ROOT, "Demo transfers: %,d between %,d accounts opened with %,d each, "
                + "each a guarded debit and a credit in one transaction%n", transfers, accounts, OPENING_BALANCE);

        Random random = new Random();
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        Map<String, Integer> ended = new TreeMap<>();
        List<CompletableFuture<WriteResult>> all = new ArrayList<>();
        int crossing = 0;
        long start = System.nanoTime();
        for (int i = 0; i < transfers; i++) {
            String from = names.get(random.nextInt(accounts));
            String to = names.get(random.nextInt(accounts));
            while (to.equals(from)) {
                to = names.get(random.nextInt(accounts));
            }
            if (ConsistentHashPartitioner.partitionFor(from, client.requestPartitions())
                    != ConsistentHashPartitioner.partitionFor(to, client.requestPartitions())) {
                crossing++;
            }
            long amount = 1 + random.nextInt(300);
            inFlight.acquire();
            // The tally's stage, not the bare future, is what the wait below waits for: otherwise the
            // summary could print before the last transfers were counted.
            CompletableFuture<WriteResult> transfer = client.transaction(Op.add(from, -amount, 0), Op.add(to, amount))
                    .whenComplete((result, error) -> {
                        synchronized (ended) {
                            String how = error != null ? "failed" : result.isCommitted() ? "committed"
                                    : "aborted " + result.reason().map(Enum::name).orElse("");
                            ended.merge(how, 1, Integer::sum);
                        }
                        inFlight.release();
                    });
            all.add(transfer);
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).exceptionally(e -> null)
                .get(120, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf(Locale.ROOT, "Demo transfers done in %.1f s (%,.0f/s), %,d across partitions: %s%n", seconds,
                transfers / seconds, crossing, ended);

        // A participant applies its writes when it processes the decision, after the outcome went
        // out: each read waits for the newest version this demo saw committed (read-your-writes).
        Map<String, WrittenKey> newest = new TreeMap<>();
        Stream.concat(opened.stream(), all.stream()).map(write -> write.getNow(null))
                .filter(result -> result != null && result.isCommitted())
                .forEach(result -> result.writes()
                        .forEach(w -> newest.merge(w.key(), w, (a, b) -> a.version() >= b.version() ? a : b)));
        long sum = 0;
        for (String name : names) {
            String position = URLEncoder.encode(newest.get(name).positionToken(), StandardCharsets.UTF_8);
            sum += Long.parseLong(get(queryUrl + "/kv/" + name + "?position=" + position).path("value").asText("0"));
        }
        out.printf(Locale.ROOT, "  sum of the %,d balances over GET /kv: %,d (opened with %,d)%n", accounts, sum,
                accounts * OPENING_BALANCE);
        JsonNode shown = null;
        for (CompletableFuture<WriteResult> transfer : all) {
            WriteResult result = transfer.getNow(null);
            if (result != null && result.isCommitted() && result.transactionId().isPresent()
                    && result.writes().stream().map(WrittenKey::partition).distinct().count() > 1) {
                String url = queryUrl + "/txn/" + URLEncoder.encode(result.transactionId().get(), StandardCharsets.UTF_8);
                shown = get(url);
                out.printf("  GET %s -> %s%n", url, shown);
                break;
            }
        }
        return new Summary(Map.copyOf(ended), accounts * OPENING_BALANCE, sum, shown);
    }

    private JsonNode get(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return json.readTree(response.body());
    }
}
