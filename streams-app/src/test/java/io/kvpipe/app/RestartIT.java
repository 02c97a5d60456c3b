package io.kvpipe.app;

import static io.kvpipe.app.EmbeddedDefaultIT.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvpipe.app.topology.StoreNames;
import io.kvpipe.producers.client.KvClient;
import io.kvpipe.producers.client.KvClientConfig;
import io.kvpipe.producers.client.Op;
import io.kvpipe.producers.client.WriteResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A clean restart of an instance on the same state directory comes back from its local state:
 * its persistent stores restore nothing from their changelogs (the state is kept, not rebuilt).
 */
class RestartIT {

    private static final int PARTITIONS = 4;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Environment environment;
    private AppInstance instance;

    @AfterEach
    void stop() {
        if (instance != null) {
            instance.close();
        }
        if (environment != null) {
            environment.close();
        }
    }

    @Test
    void aCleanRestartRestoresNothingFromTheChangelogsAndKeepsTheState() throws Exception {
        environment = Environment.start(new Environment.Settings("localhost", freePort(), freePort(), freePort(),
                dir.resolve("data"), false, null, null, Map.of()));
        Pipeline pipeline = Pipeline.provision(environment, "kv-", PARTITIONS, null);
        AppInstance.Settings settings = new AppInstance.Settings("kv-app", "instance-a", "localhost", freePort(),
                "localhost", dir.resolve("state-a"), 0, 1);
        instance = AppInstance.start(environment, pipeline, settings);
        instance.awaitRunning(Duration.ofSeconds(60));

        // Writes to every partition: single keys, and transactions across partitions (which use the
        // locks, txns, dedup-window, txn-decisions and txn-unbegun-aborts stores besides kv).
        try (KvClient client = KvClient.create(KvClientConfig.builder()
                .bootstrapServers(environment.bootstrapServers())
                .schemaRegistryUrl(environment.schemaRegistryUrl())
                .requestTimeout(Duration.ofSeconds(30))
                .build())) {
            List<CompletableFuture<WriteResult>> writes = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                writes.add(client.put("key-" + i, "v" + i));
            }
            for (int i = 0; i < 20; i++) {
                writes.add(client.transaction(Op.add("acct-" + i, 10), Op.add("acct-" + (i + 20), -10)));
            }
            for (CompletableFuture<WriteResult> write : writes) {
                assertThat(write.get(60, TimeUnit.SECONDS).isCommitted()).isTrue();
            }
        }
        assertThat(instance.restoredRecords().values()).as("a first start has nothing to restore")
                .allMatch(n -> n == 0);

        instance.close();
        instance = null;
        // What the group committed for each requests partition at the clean stop.
        Map<Integer, Long> processed = new TreeMap<>();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", environment.bootstrapServers()))) {
            admin.listConsumerGroupOffsets(settings.applicationId()).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .forEach((tp, committed) -> {
                        if (tp.topic().equals(pipeline.topics().requests())) {
                            processed.put(tp.partition(), committed.offset() - 1);
                        }
                    });
        }
        assertThat(processed).hasSize(PARTITIONS);
        instance = AppInstance.start(environment, pipeline, settings);
        instance.awaitRunning(Duration.ofSeconds(60));

        // The persistent stores come back from their local state; the in-memory ones (locks, txns:
        // what is in flight) are rebuilt from their changelogs on every start, by design.
        Map<String, Long> restored = instance.restoredRecords();
        for (String store : List.of(StoreNames.KV, StoreNames.DEDUP, StoreNames.DECISIONS, StoreNames.UNBEGUN)) {
            assertThat(restored.getOrDefault(store, 0L)).as("records of %s restored after a clean restart (%s)",
                    store, restored).isZero();
        }
        JsonNode read = get(instance.queryUrl() + "/kv/key-7");
        assertThat(read.get("value").asText()).isEqualTo("v7");
        assertThat(read.get("version").asLong()).isEqualTo(1);
        assertThat(get(instance.queryUrl() + "/kv/acct-3").get("value").asText()).isEqualTo("10");
        // With no traffic since, no task has committed in this run: the primaries report the
        // group's committed progress, not "nothing processed" (-1).
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(primaryOffsets(instance.queryUrl())).isEqualTo(processed));
    }

    /** This instance's primaries and their offsets, as its own heartbeat reports them in /cluster. */
    private static Map<Integer, Long> primaryOffsets(String url) throws Exception {
        Map<Integer, Long> offsets = new TreeMap<>();
        for (JsonNode member : get(url + "/cluster").get("instances")) {
            member.get("primaries").forEach(p -> offsets.put(p.get("partition").asInt(), p.get("offset").asLong()));
        }
        return offsets;
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
