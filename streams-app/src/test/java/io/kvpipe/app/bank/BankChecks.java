package io.kvpipe.app.bank;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvpipe.app.bank.Bank.Transfer;
import io.kvpipe.avro.ChangeEvent;
import io.kvpipe.producers.client.WriteResult;
import io.kvpipe.producers.client.WrittenKey;
import io.kvpipe.schemas.serde.AvroDeserializer;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The bank's checks. Each check adds what it found wrong to a list (with request ids, keys and
 * what the changes topic shows) instead of stopping at the first problem, so that one run tells
 * the whole story; {@link #assertAllPassed()} fails the test with all of it.
 */
final class BankChecks {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** At most this many examples of one kind of problem are listed. */
    private static final int EXAMPLES = 10;

    private final Bank bank;
    private final PrintStream out;
    private final List<String> failures = new ArrayList<>();

    BankChecks(Bank bank, PrintStream out) {
        this.bank = bank;
        this.out = out;
    }

    /** A balance read back: value, version, and who served it. */
    record Balance(String account, long value, long version, String servedBy, String role, boolean stale) {}

    /** A change event with where it was in the changes topic. */
    record Change(int partition, long offset, ChangeEvent event) {
        @Override
        public String toString() {
            ChangeEvent e = event;
            return "changes-" + partition + "@" + offset + " {key " + e.getKey() + ", value " + e.getValue() + ", version "
                    + e.getVersion() + ", requestId " + e.getRequestId() + ", transactionId " + e.getTransactionId() + "}";
        }
    }

    // ----------------------------------------------------------------------------------------------------------
    // Outcomes and figures

    /**
     * Every transfer ended (its future completed with an outcome, not an exception) within
     * {@code bound} of its start; prints the figures.
     */
    void outcomes(String title, double seconds, Duration bound) {
        List<Transfer> all = new ArrayList<>(bank.transfers().values());
        all.sort(Comparator.comparingLong(t -> t.startedNanos));
        Map<String, Integer> byOutcome = new TreeMap<>();
        long committed = 0;
        long crossCommitted = 0;
        long cross = 0;
        List<Long> latencies = new ArrayList<>();
        List<Transfer> notEnded = new ArrayList<>();
        List<Transfer> failed = new ArrayList<>();
        List<Transfer> late = new ArrayList<>();
        for (Transfer t : all) {
            if (t.crossPartition) {
                cross++;
            }
            if (!t.ended()) {
                notEnded.add(t);
                continue;
            }
            latencies.add(t.latencyMillis());
            if (t.latencyMillis() > bound.toMillis()) {
                late.add(t);
            }
            if (t.result == null) {
                failed.add(t);
                byOutcome.merge("FAILED " + t.failure.getClass().getSimpleName()
                        + (t.resolved == null ? ", still unknown" : ", resent: " + t.resolved.status()), 1, Integer::sum);
                continue;
            }
            WriteResult r = t.result;
            String kind = r.isCommitted() ? "COMMITTED" : r.status() + " " + r.reason().map(Enum::name).orElse("?");
            byOutcome.merge(kind + (t.crossPartition ? " (cross-partition)" : " (same-partition)"), 1, Integer::sum);
            if (r.isCommitted()) {
                committed++;
                if (t.crossPartition) {
                    crossCommitted++;
                }
            }
        }
        latencies.sort(Long::compare);
        out.printf("%n=== %s ===%n", title);
        out.printf("transfers started %d (%d cross-partition) in %.1f s: %.1f started/s, %.1f committed/s%n",
                all.size(), cross, seconds, all.size() / seconds, committed / seconds);
        out.printf("committed %d (%d cross-partition)%n", committed, crossCommitted);
        byOutcome.forEach((k, v) -> out.printf("  %-45s %7d%n", k, v));
        if (!latencies.isEmpty()) {
            out.printf("latency submit -> outcome: p50 %d ms, p99 %d ms, p99.9 %d ms, max %d ms (bound %d s)%n",
                    percentile(latencies, 0.50), percentile(latencies, 0.99), percentile(latencies, 0.999),
                    latencies.get(latencies.size() - 1), bound.toSeconds());
        }
        Map<String, Long> detailsOfOther = all.stream()
                .filter(t -> t.result != null && !t.result.isCommitted())
                .collect(Collectors.groupingBy(t -> t.result.reason().map(Enum::name).orElse("?") + ": "
                        + t.result.detail().map(BankChecks::shape).orElse("(no detail)"), TreeMap::new, Collectors.counting()));
        if (!detailsOfOther.isEmpty()) {
            out.println("not committed, by reason and detail:");
            detailsOfOther.forEach((k, v) -> out.printf("  %7d  %s%n", v, k));
        }
        fail(notEnded, "transfers whose future never completed (the client saw no end)");
        fail(failed, "transfers whose future failed instead of giving an outcome");
        fail(late, "transfers that ended later than " + bound.toSeconds() + " s after they started");
    }

    /**
     * Transfers started, committed and not committed per {@code bucketSeconds} of the run (by the
     * time they ended), from {@code startNanos}: shows a stall and the recovery.
     */
    void timeline(long startNanos, int bucketSeconds) {
        TreeMap<Long, long[]> buckets = new TreeMap<>();
        for (Transfer t : bank.transfers().values()) {
            buckets.computeIfAbsent(TimeUnit.NANOSECONDS.toSeconds(t.startedNanos - startNanos) / bucketSeconds,
                    b -> new long[3])[0]++;
            if (t.ended()) {
                long[] b = buckets.computeIfAbsent(TimeUnit.NANOSECONDS.toSeconds(t.endedNanos - startNanos) / bucketSeconds,
                        k -> new long[3]);
                b[t.result != null && t.result.isCommitted() ? 1 : 2]++;
            }
        }
        out.println("timeline: from s, transfers started / committed / not committed (the latter two by when they ended)");
        buckets.forEach((b, c) -> out.printf("  %4d s  %6d %6d %6d%n", b * bucketSeconds, c[0], c[1], c[2]));
    }

    /** A detail with numbers and ids blanked, so that details group by kind. */
    private static String shape(String detail) {
        return detail.replaceAll("transaction '[^']*'", "transaction 'T'").replaceAll("acct-\\d{4}", "acct-N")
                .replaceAll("\\d+", "N");
    }

    private static long percentile(List<Long> sorted, double q) {
        int index = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    // ----------------------------------------------------------------------------------------------------------
    // (1) and (2): balances

    /** (1) the balances sum to the seeded total; (2) none is negative; every read came from a fresh primary. */
    void balances(Map<String, Balance> balances) {
        long sum = balances.values().stream().mapToLong(Balance::value).sum();
        long negative = balances.values().stream().filter(b -> b.value() < 0).count();
        out.printf("balances read back: %d accounts, sum %,d (expected %,d), %d negative, min %d, max %d%n",
                balances.size(), sum, bank.expectedTotal(), negative,
                balances.values().stream().mapToLong(Balance::value).min().orElse(0),
                balances.values().stream().mapToLong(Balance::value).max().orElse(0));
        if (balances.size() != bank.accounts().size()) {
            failures.add("read back " + balances.size() + " balances, expected " + bank.accounts().size());
        }
        if (sum != bank.expectedTotal()) {
            failures.add("(1) the balances sum to " + sum + ", not " + bank.expectedTotal());
        }
        fail(balances.values().stream().filter(b -> b.value() < 0).toList(), "(2) negative balances");
        fail(balances.values().stream().filter(b -> b.stale() || !"primary".equals(b.role())).toList(),
                "balances not read from a fresh primary");
    }

    // ----------------------------------------------------------------------------------------------------------
    // (3) and (4): the changes topic

    /**
     * (3) every committed transfer is on the changes topic exactly once with both legs (versions as
     * its outcome said), every other one left nothing, and nothing else is there; (4) each account's
     * changes replayed in version order give its final balance and version.
     */
    void changes(List<Change> changes, Map<String, Balance> balances) {
        Map<String, List<Change>> byRequest = new HashMap<>();
        for (Change c : changes) {
            byRequest.computeIfAbsent(c.event().getRequestId(), id -> new ArrayList<>()).add(c);
        }
        out.printf("changes topic: %d change events from %d requests%n", changes.size(), byRequest.size());

        // Seeds: one event each.
        List<String> badSeeds = new ArrayList<>();
        bank.seeds().forEach((account, id) -> {
            List<Change> cs = byRequest.getOrDefault(id, List.of());
            if (cs.size() != 1 || !cs.get(0).event().getKey().equals(account) || cs.get(0).event().getVersion() != 1) {
                badSeeds.add("seed " + id + " of " + account + ": " + cs);
            }
        });
        fail(badSeeds, "seed puts not on the changes topic exactly once at version 1");

        List<String> missingOrDuplicated = new ArrayList<>();
        List<String> wrongTransactionId = new ArrayList<>();
        List<String> leftTrace = new ArrayList<>();
        long committedChecked = 0;
        for (Transfer t : bank.transfers().values()) {
            WriteResult r = t.outcome();
            List<Change> cs = byRequest.getOrDefault(t.requestId, List.of());
            if (r == null) {
                // Outcome unknown (already reported by outcomes()); whatever is there is shown.
                if (!cs.isEmpty()) {
                    leftTrace.add(t + " (outcome unknown) has " + cs);
                }
                continue;
            }
            if (!r.isCommitted()) {
                if (!cs.isEmpty()) {
                    leftTrace.add(t + " has " + cs);
                }
                continue;
            }
            committedChecked++;
            Map<String, List<Change>> legs = cs.stream().collect(Collectors.groupingBy(c -> c.event().getKey()));
            boolean ok = cs.size() == 2 && legs.getOrDefault(t.from, List.of()).size() == 1
                    && legs.getOrDefault(t.to, List.of()).size() == 1;
            if (ok) {
                for (String account : List.of(t.from, t.to)) {
                    long version = legs.get(account).get(0).event().getVersion();
                    Long promised = r.written(account).map(WrittenKey::version).orElse(null);
                    if (promised == null || promised != version) {
                        ok = false;
                    }
                }
            }
            if (!ok) {
                missingOrDuplicated.add(t + " (outcome versions " + r.writes().stream()
                        .map(w -> w.key() + "=" + w.version()).toList() + ") has " + cs);
            }
            // The transaction id of a multi-key transaction is its request id, on the outcome and on every change.
            if (r.transactionId().isPresent() && !r.transactionId().get().equals(t.requestId)) {
                wrongTransactionId.add(t + ": the outcome names transaction " + r.transactionId().get());
            }
            for (Change c : cs) {
                if (!t.requestId.equals(c.event().getTransactionId())) {
                    wrongTransactionId.add(t + ": " + c);
                }
            }
        }
        fail(missingOrDuplicated, "(3) committed transfers not on the changes topic exactly once with both legs "
                + "(one event per account, at the versions the outcome gave)");
        fail(leftTrace, "(3) transfers that did not commit but left change events");
        fail(wrongTransactionId, "(3) committed transfers whose change events (or outcome) do not carry the request id "
                + "as transaction id");
        List<String> strangers = byRequest.entrySet().stream()
                .filter(e -> !bank.transfers().containsKey(e.getKey()) && !bank.seeds().containsValue(e.getKey()))
                .map(e -> e.getKey() + ": " + e.getValue()).toList();
        fail(strangers, "(3) change events of requests nobody sent");
        out.printf("(3) checked %d committed transfers against the changes topic%n", committedChecked);

        replay(changes, balances);
    }

    /** (4) each account's changes in version order: 1, 2, ... each the previous value plus its transfer's delta. */
    private void replay(List<Change> changes, Map<String, Balance> balances) {
        Map<String, List<Change>> byAccount = changes.stream().collect(Collectors.groupingBy(c -> c.event().getKey()));
        List<String> broken = new ArrayList<>();
        for (String account : bank.accounts()) {
            List<Change> cs = new ArrayList<>(byAccount.getOrDefault(account, List.of()));
            cs.sort(Comparator.comparingLong(c -> c.event().getVersion()));
            Long value = null;
            long version = 0;
            String problem = null;
            for (Change c : cs) {
                ChangeEvent e = c.event();
                if (e.getVersion() != version + 1) {
                    problem = "after version " + version + " comes " + c;
                    break;
                }
                version = e.getVersion();
                long actual;
                try {
                    actual = Long.parseLong(Objects.toString(e.getValue()));
                } catch (NumberFormatException nfe) {
                    problem = "not a number: " + c;
                    break;
                }
                if (value == null) {
                    if (!e.getRequestId().equals(bank.seeds().get(account)) || actual != Bank.INITIAL_BALANCE) {
                        problem = "first change is not the seed: " + c;
                        break;
                    }
                } else {
                    Transfer t = bank.transfers().get(e.getRequestId());
                    if (t == null) {
                        problem = "change of an unknown request: " + c;
                        break;
                    }
                    if (actual != value + t.deltaOf(account)) {
                        problem = "version " + version + " is " + actual + " but " + value + " "
                                + (t.deltaOf(account) >= 0 ? "+ " : "- ") + Math.abs(t.deltaOf(account)) + " = "
                                + (value + t.deltaOf(account)) + " by " + t + ": " + c;
                        break;
                    }
                }
                value = actual;
            }
            Balance b = balances.get(account);
            if (problem == null && b != null && (value == null || value != b.value() || version != b.version())) {
                problem = "replay ends at value " + value + " version " + version + " but the store has value "
                        + b.value() + " version " + b.version();
            }
            if (problem != null) {
                broken.add(account + ": " + problem);
            }
        }
        fail(broken, "(4) accounts whose changes, replayed in version order, do not give their balance");
        out.printf("(4) replayed the changes of %d accounts%n", bank.accounts().size());
    }

    // ----------------------------------------------------------------------------------------------------------
    // (5) and (6): stores

    /** (5) a store found empty or not, as the caller saw it after waiting. */
    void storeEmpty(String what, Map<String, Object> leftOver) {
        out.printf("(5) %s: %d entries%n", what, leftOver.size());
        if (!leftOver.isEmpty()) {
            fail(leftOver.entrySet().stream().map(e -> e.getKey() + " = " + e.getValue()).toList(), "(5) " + what + " is not empty");
        }
    }

    /** (6) a partition's replica, as the caller saw it after waiting, against its primary. */
    void replicaEqualsPrimary(String store, int partition, Map<String, Object> primary, Map<String, Object> replica) {
        if (primary.equals(replica)) {
            return;
        }
        List<String> diff = new ArrayList<>();
        for (String k : union(primary, replica)) {
            if (!Objects.equals(primary.get(k), replica.get(k))) {
                diff.add(k + ": primary " + primary.get(k) + ", replica " + replica.get(k));
            }
        }
        fail(diff, "(6) partition " + partition + ": the replica's " + store + " store differs from the primary's");
    }

    private static List<String> union(Map<String, Object> a, Map<String, Object> b) {
        TreeMap<String, Object> all = new TreeMap<>(a);
        all.putAll(b);
        return new ArrayList<>(all.keySet());
    }

    /**
     * How the workload's end went: {@code resent} transfers whose future failed were sent again
     * with the same id to learn their outcome, and whether every future completed ({@code drained})
     * within {@code drainWait} of the stop.
     */
    void drain(int resent, boolean drained, Duration drainWait) {
        if (resent > 0) {
            note(resent + " transfers whose future failed were sent again with the same id to learn their outcome");
        }
        if (!drained) {
            failure("not every transfer's future completed within " + drainWait.toSeconds()
                    + " s after the workload stopped");
        }
    }

    void note(String line) {
        out.println(line);
    }

    void failure(String what) {
        failures.add(what);
    }

    private <T> void fail(List<T> examples, String what) {
        if (examples.isEmpty()) {
            return;
        }
        StringBuilder s = new StringBuilder(what).append(": ").append(examples.size());
        examples.stream().limit(EXAMPLES).forEach(e -> s.append("\n    ").append(e));
        if (examples.size() > EXAMPLES) {
            s.append("\n    ...");
        }
        failures.add(s.toString());
    }

    List<String> failures() {
        return failures;
    }

    /** Prints and fails with every problem found. */
    void assertAllPassed() {
        if (failures.isEmpty()) {
            out.println("all checks passed");
            return;
        }
        String all = String.join("\n", failures);
        out.println("CHECKS FAILED:\n" + all);
        throw new AssertionError(failures.size() + " checks failed:\n" + all);
    }

    // ----------------------------------------------------------------------------------------------------------
    // Reading

    /**
     * Every account's balance over HTTP, {@code GET /kv/{key}}, spread over the given query servers.
     * An answer from a replica (the primary's instance not beating, e.g. while it restores) is asked
     * again for up to 30 s; after that it is taken as it is, and {@link #balances} reports it.
     */
    static Map<String, Balance> readBalancesOverHttp(List<String> baseUrls, List<String> accounts) throws Exception {
        Map<String, Balance> balances = new TreeMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int i = 0;
        for (String account : accounts) {
            Balance b;
            do {
                b = readBalance(baseUrls.get(i++ % baseUrls.size()), account);
            } while ((b.stale() || !"primary".equals(b.role())) && System.nanoTime() < deadline && pause(200));
            balances.put(account, b);
        }
        return balances;
    }

    private static boolean pause(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return true;
    }

    private static Balance readBalance(String baseUrl, String account) throws Exception {
        String url = baseUrl + "/kv/" + URLEncoder.encode(account, StandardCharsets.UTF_8);
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + url + " -> " + response.statusCode() + " " + response.body());
        }
        JsonNode n = JSON.readTree(response.body());
        return new Balance(account, Long.parseLong(n.get("value").asText()), n.get("version").asLong(),
                n.path("servedBy").asText(), n.path("role").asText(), n.path("stale").asBoolean());
    }

    /**
     * The changes topic from the beginning, read_committed, up to its end as of now; read again until
     * {@code complete} holds for what was read or {@code timeout} passes.
     */
    static List<Change> readChanges(Map<String, Object> clientConfig, String registryUrl, String topic,
            Predicate<List<Change>> complete, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Change> changes = readChangesOnce(clientConfig, registryUrl, topic);
            if (complete.test(changes) || System.nanoTime() > deadline) {
                return changes;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return changes;
            }
        }
    }

    private static List<Change> readChangesOnce(Map<String, Object> clientConfig, String registryUrl, String topic) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put("schema.registry.url", registryUrl);
        config.put(AvroDeserializer.SPECIFIC_AVRO_READER, "true");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        AvroDeserializer<ChangeEvent> values = new AvroDeserializer<>();
        values.configure(config, false);
        List<Change> seen = new ArrayList<>();
        try (KafkaConsumer<String, ChangeEvent> consumer = new KafkaConsumer<>(config, new StringDeserializer(), values)) {
            List<TopicPartition> tps = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end " + end + " within 60 s");
                }
                for (ConsumerRecord<String, ChangeEvent> r : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(new Change(r.partition(), r.offset(), r.value()));
                }
            }
        }
        return seen;
    }
}
