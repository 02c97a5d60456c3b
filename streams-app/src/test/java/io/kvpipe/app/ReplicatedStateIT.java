package io.kvpipe.app;

import static io.kvpipe.app.EmbeddedDefaultIT.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvpipe.app.streams.PipelineRocksDBConfig;
import io.kvpipe.app.topology.AppliedOffset;
import io.kvpipe.app.topology.StoreNames;
import io.kvpipe.app.topology.TopologySettings;
import io.kvpipe.avro.ChangeEvent;
import io.kvpipe.avro.Request;
import io.kvpipe.avro.VersionedValue;
import io.kvpipe.producers.client.KvClient;
import io.kvpipe.producers.client.KvClientConfig;
import io.kvpipe.producers.client.Op;
import io.kvpipe.producers.client.WriteResult;
import io.kvpipe.producers.client.WrittenKey;
import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import io.kvpipe.schemas.registry.RestSchemaRegistryClient;
import io.kvpipe.schemas.registry.SchemaRegistryClient;
import io.kvpipe.schemas.serde.AvroDeserializer;
import io.kvpipe.schemas.serde.BatchValueWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two streams-app instances on one real in-JVM broker, written to through the client API, read
 * over HTTP: the replicated state end to end, including a failover and the replicas' catch-up.
 */
class ReplicatedStateIT {

    private static final int PARTITIONS = 4;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Environment environment;
    private Pipeline pipeline;
    private final Map<String, AppInstance> instances = new HashMap<>();
    private final Map<String, Integer> ports = new HashMap<>();
    private KvClient client;

    @BeforeEach
    void startClusterOfTwo() throws Exception {
        environment = Environment.start(new Environment.Settings("localhost", freePort(), freePort(), freePort(),
                dir.resolve("data"), false, null, null, Map.of()));
        pipeline = Pipeline.provision(environment, "kv-", PARTITIONS, null);
        ports.put("a", freePort());
        ports.put("b", freePort());
        startInstance("a");
        startInstance("b");
        awaitBothRunningWithStandbys();
        client = KvClient.create(KvClientConfig.builder()
                .bootstrapServers(environment.bootstrapServers())
                .schemaRegistryUrl(environment.schemaRegistryUrl())
                .requestTimeout(Duration.ofSeconds(30))
                .build());
    }

    @AfterEach
    void stopAll() {
        if (client != null) {
            client.close();
        }
        instances.values().forEach(AppInstance::close);
        if (environment != null) {
            environment.close();
        }
    }

    @Test
    void writesFlowThroughKafkaIntoReplicatedStateAndOutToQueriesAndTheChangesTopic() throws Exception {
        // Given: one key on each partition, written through the client
        Map<String, String> keyPerPartition = keyPerPartition();
        Map<String, WriteResult> results = new TreeMap<>();
        for (Map.Entry<String, String> e : keyPerPartition.entrySet()) {
            WriteResult written = result(client.put(e.getKey(), e.getValue()));
            assertThat(written.isCommitted()).isTrue();
            results.put(e.getKey(), written);
        }

        // When: every key is read over HTTP from BOTH instances (one of them forwards to the primary)
        for (Map.Entry<String, String> e : keyPerPartition.entrySet()) {
            for (String instance : List.of("a", "b")) {
                JsonNode read = get(instance, e.getKey(), null);
                // Then: the primary's committed value, never a replica's presented as fresh
                assertThat(read.get("value").asText()).isEqualTo(e.getValue());
                assertThat(read.get("role").asText()).isEqualTo("primary");
                assertThat(read.get("stale").asBoolean()).isFalse();
            }
        }

        // And: each request's outcome is found by its id from either instance, whichever partition
        // (and so instance) decided it: here or asked of the other instance
        for (Map.Entry<String, WriteResult> e : results.entrySet()) {
            for (String instance : List.of("a", "b")) {
                JsonNode txn = getTxn(instance, e.getValue().requestId(), 200);
                assertThat(txn.get("status").asText()).isEqualTo("committed");
                assertThat(txn.get("versions").get(0).get("key").asText()).isEqualTo(e.getKey());
                assertThat(txn.get("versions").get(0).get("position").asText())
                        .isEqualTo(e.getValue().writes().get(0).positionToken());
            }
        }
        JsonNode unknown = getTxn("a", "nobody-sent-this", 404);
        assertThat(unknown.get("searchedPartitions")).hasSize(PARTITIONS);

        // And: each write is on the changes topic, keyed by the data key
        List<ChangeEvent> changes = readChanges(keyPerPartition.size());
        assertThat(changes).extracting(ChangeEvent::getKey).containsExactlyInAnyOrderElementsOf(keyPerPartition.keySet());
        assertThat(changes).allSatisfy(c -> assertThat(c.getVersion()).isEqualTo(1L));

        // And: a transaction over keys of two partitions, committed by two-phase commit,
        List<String> keys = List.copyOf(keyPerPartition.keySet()).subList(0, 2);
        WriteResult committed = result(client.submit(List.of(Op.put(keys.get(0), "x2"), Op.put(keys.get(1), "y2"))));
        assertThat(committed.isCommitted()).as(committed.toString()).isTrue();

        // is found by its id from either instance, decided, with each key's read position
        for (String instance : List.of("a", "b")) {
            JsonNode txn = getTxn(instance, committed.requestId(), 200);
            assertThat(txn.get("status").asText()).isEqualTo("committed");
            assertThat(txn.get("versions")).hasSize(2);
        }
        // And: the other partition's key, written when it processes the decision (after the outcome
        // went out), is read back by its version-form position, waiting for it if need be
        for (WrittenKey written : committed.writes()) {
            assertThat(written.offset()).isEqualTo(-1);
            assertThat(written.positionToken()).isEqualTo(written.partition() + ":v" + written.version());
            JsonNode read = get("b", written.key(), written.positionToken());
            assertThat(read.get("version").asLong()).isEqualTo(written.version());
        }
    }

    @Test
    void aTransactionItsCoordinatorHoldsInMemoryIsFoundByGetTxnUntilItsDeadlineAbortsIt() throws Exception {
        // Given: a transaction sent as with copies, but only to its coordinator's partition (its
        // copy to the other partition lost): begun and held in memory, waiting for a vote.
        String first = "held-a";
        String second = java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "held-b" + i)
                .filter(k -> ConsistentHashPartitioner.partitionFor(k, PARTITIONS)
                        != ConsistentHashPartitioner.partitionFor(first, PARTITIONS))
                .findFirst().orElseThrow();
        Request request = io.kvpipe.producers.client.internals.Requests.build("held-txn",
                new io.kvpipe.avro.ReplyTo("nobody", 0), List.of(Op.put(first, "1"), Op.put(second, "2")),
                System.currentTimeMillis(), 8_000);
        request.setSentToParticipants(true);
        Map<String, Object> registryConfig = Map.of("schema.registry.url", environment.schemaRegistryUrl());
        try (SchemaRegistryClient registry = RestSchemaRegistryClient.fromConfig(registryConfig);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.<String, Object>of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, environment.bootstrapServers()),
                     new StringSerializer(), new ByteArraySerializer())) {
            BatchValueWriter<Request> writer = BatchValueWriter.forRequests(registry, pipeline.topics().requests(), false);
            producer.send(new ProducerRecord<>(pipeline.topics().requests(),
                    ConsistentHashPartitioner.partitionFor(first, PARTITIONS), first,
                    writer.single(writer.encode(request)))).get(30, TimeUnit.SECONDS);
        }

        // Then: either instance finds it undecided, waiting for the other partition's vote
        int participant = ConsistentHashPartitioner.partitionFor(second, PARTITIONS);
        await().atMost(Duration.ofSeconds(6)).untilAsserted(() -> {
            for (String instance : List.of("a", "b")) {
                JsonNode txn = getTxn(instance, "held-txn", 200);
                assertThat(txn.get("status").asText()).isEqualTo("prepared");
                assertThat(txn.get("waitingFor")).extracting(JsonNode::asInt).containsExactly(participant);
            }
        });
        // And: at its deadline it aborts, as a stored one would
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode txn = getTxn("b", "held-txn", 200);
            assertThat(txn.get("status").asText()).isEqualTo("aborted");
            assertThat(txn.get("reason").asText()).isEqualTo("TIMEOUT");
        });
    }

    @Test
    void theInMemoryStoresOfWhatIsInFlightHaveChangelogsCompactedWithinMinutes() throws Exception {
        // Locks and undecided transactions live in memory and are restored from the start of their
        // changelogs, so those must not keep a day of put-and-tombstone pairs as Kafka's defaults would.
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                environment.bootstrapServers()))) {
            for (String store : List.of(StoreNames.LOCKS, StoreNames.TXNS)) {
                ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "kv-app-" + store + "-changelog");
                Config config = admin.describeConfigs(List.of(topic)).all().get(30, TimeUnit.SECONDS).get(topic);
                assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).as(store).isEqualTo("compact");
                assertThat(config.get(TopicConfig.SEGMENT_MS_CONFIG).value()).as(store).isEqualTo("60000");
                assertThat(config.get(TopicConfig.DELETE_RETENTION_MS_CONFIG).value()).as(store).isEqualTo("900000");
                assertThat(config.get(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG).value()).as(store).isEqualTo("0.1");
            }
        }
    }

    @Test
    void thePersistentStoresHaveChangelogsWhoseSegmentsRollSoonEnoughToBeCompactedOrDeleted() throws Exception {
        // The broker compacts and deletes only closed segments: with Kafka's 1 GiB default a kv
        // changelog kept up to a gigabyte of overwritten values per partition, and the dedup one
        // every outcome until its segment filled, whatever the retention.
        String mib64 = Integer.toString(64 * 1024 * 1024);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                environment.bootstrapServers()))) {
            Config kv = changelogConfig(admin, StoreNames.KV);
            assertThat(kv.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact");
            assertThat(kv.get(TopicConfig.SEGMENT_BYTES_CONFIG).value()).isEqualTo(mib64);
            // Kafka Streams' own retention is kept: the store's (its retention and 1 ms, see DedupLog)
            // and Kafka Streams' margin of a day.
            Duration margin = Duration.ofDays(1).plusMillis(1);
            Map<String, Duration> retentions = Map.of(
                    StoreNames.DEDUP, TopologySettings.DEFAULT_DEDUP_RETENTION.plus(margin),
                    StoreNames.DECISIONS, TopologySettings.MAX_TRANSACTION_TIMEOUT
                            .plus(TopologySettings.DECISION_MEMORY_MARGIN).plus(margin),
                    StoreNames.UNBEGUN, TopologySettings.DEFAULT_DEDUP_RETENTION.plus(margin));
            for (Map.Entry<String, Duration> store : retentions.entrySet()) {
                Config config = changelogConfig(admin, store.getKey());
                assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).as(store.getKey())
                        .isEqualTo("compact,delete");
                assertThat(config.get(TopicConfig.SEGMENT_BYTES_CONFIG).value()).as(store.getKey()).isEqualTo(mib64);
                assertThat(config.get(TopicConfig.SEGMENT_MS_CONFIG).value()).as(store.getKey()).isEqualTo("3600000");
                assertThat(Long.parseLong(config.get(TopicConfig.RETENTION_MS_CONFIG).value())).as(store.getKey())
                        .isEqualTo(store.getValue().toMillis());
            }
        }
    }

    @Test
    void theKvStoresRunWithSmallerMemtablesFiltersOnEveryLevelAndHashIndexesAndTheOtherStoresWithKafkaStreamsDefaults()
            throws Exception {
        // What RocksDB itself recorded for each store it opened (its OPTIONS file), on both instances,
        // replicas included: the setter is applied to the running stores, not only configured.
        String kv = "write_buffer_size=" + PipelineRocksDBConfig.KV_WRITE_BUFFER_BYTES;
        String streamsDefault = "write_buffer_size=" + 16 * 1024 * 1024;
        await().atMost(Duration.ofSeconds(30))
                .ignoreExceptionsMatching(e -> e instanceof IOException || e instanceof UncheckedIOException)
                .untilAsserted(() -> {
                    Map<String, List<String>> sizes = rocksDbOption("write_buffer_size");
                    assertThat(sizes.get(StoreNames.KV)).as("kv stores, primaries and replicas")
                            .hasSizeGreaterThanOrEqualTo(2 * PARTITIONS).allMatch(kv::equals);
                    assertThat(sizes.get(StoreNames.DEDUP)).as("dedup-window segments").isNotEmpty()
                            .allMatch(streamsDefault::equals);
                    Map<String, List<String>> filters = rocksDbOption("optimize_filters_for_hits");
                    assertThat(filters.get(StoreNames.KV)).hasSizeGreaterThanOrEqualTo(2 * PARTITIONS)
                            .allMatch("optimize_filters_for_hits=false"::equals);
                    assertThat(filters.get(StoreNames.DEDUP)).allMatch("optimize_filters_for_hits=true"::equals);
                    // (The block cache is not in the file: PipelineRocksDBConfigTest checks it.)
                    Map<String, List<String>> index = rocksDbOption("data_block_index_type");
                    assertThat(index.get(StoreNames.KV)).hasSizeGreaterThanOrEqualTo(2 * PARTITIONS)
                            .allMatch("data_block_index_type=kDataBlockBinaryAndHash"::equals);
                    assertThat(index.get(StoreNames.DEDUP)).allMatch("data_block_index_type=kDataBlockBinarySearch"::equals);
                });
    }

    /**
     * The line setting {@code option} in the newest OPTIONS file of every RocksDB store of both
     * instances, by store name. RocksDB writes {@code OPTIONS-NNNNNN.dbtmp}, renames it, and deletes
     * older ones as stores open, so a file may vanish between the listing and the read: the caller
     * retries.
     */
    private Map<String, List<String>> rocksDbOption(String option) throws IOException {
        Map<Path, Path> newest = new HashMap<>();
        for (String instance : List.of("a", "b")) {
            try (Stream<Path> files = Files.walk(dir.resolve("state-" + instance))) {
                files.filter(f -> f.getFileName().toString().matches("OPTIONS-\\d+"))
                        .forEach(f -> newest.merge(f.getParent(), f,
                                (x, y) -> optionsNumber(x) > optionsNumber(y) ? x : y));
            }
        }
        Map<String, List<String>> sizes = new HashMap<>();
        for (Path options : newest.values()) {
            String db = options.getParent().getFileName().toString();
            String store = db.contains(".") ? db.substring(0, db.indexOf('.')) : db; // a segment: <store>.<id>
            String line = Files.readAllLines(options).stream().map(String::trim)
                    .filter(l -> l.startsWith(option + "=")).findFirst().orElse("none");
            sizes.computeIfAbsent(store, k -> new ArrayList<>()).add(line);
        }
        return sizes;
    }

    private static long optionsNumber(Path options) {
        return Long.parseLong(options.getFileName().toString().substring("OPTIONS-".length()));
    }

    private static Config changelogConfig(Admin admin, String store) throws Exception {
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "kv-app-" + store + "-changelog");
        return admin.describeConfigs(List.of(topic)).all().get(30, TimeUnit.SECONDS).get(topic);
    }

    @Test
    void theDemoTransfersKeepTheSumOfTheBalancesAcrossPartitions() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        DemoTransfers.Summary summary = new DemoTransfers(new PrintStream(printed, true, StandardCharsets.UTF_8))
                .run(client, instances.get("a").queryUrl(), 200, 300);

        assertThat(summary.ended().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(300);
        assertThat(summary.ended().getOrDefault("committed", 0)).isGreaterThan(0);
        assertThat(summary.ended().keySet()).allMatch(how -> how.equals("committed") || how.startsWith("aborted"));
        assertThat(summary.sum()).isEqualTo(summary.openingSum()).isEqualTo(200_000L);
        assertThat(summary.oneTransfer().path("status").asText()).isEqualTo("committed");
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("sum of the 200 balances over GET /kv: 200,000");
    }

    @Test
    void aRetriedRequestIsAppliedOnceAndAnswersWithItsFirstOutcome() throws Exception {
        String requestId = client.newRequestId();

        WriteResult first = result(client.submit(requestId, List.of(Op.add("counter", 5))));
        WriteResult retry = result(client.submit(requestId, List.of(Op.add("counter", 5))));

        assertThat(first.isCommitted()).isTrue();
        assertThat(retry.isCommitted()).isTrue();
        assertThat(retry.writes()).isEqualTo(first.writes());
        assertThat(get("a", "counter", null).get("value").asText()).isEqualTo("5");
        assertThat(readChanges(1)).hasSize(1);
    }

    @Test
    void aClosedInstancesPartitionsAreServedByTheOtherWithNoLostWriteAndReplicasCatchUp() throws Exception {
        // Given: acknowledged writes on every partition
        Map<String, String> written = new TreeMap<>();
        for (int i = 0; i < 200; i++) {
            written.put("key-" + i, "v" + i);
        }
        awaitAll(written.entrySet().stream().map(e -> client.put(e.getKey(), e.getValue())).toList());

        // When: instance a goes away and writes go on
        instances.remove("a").close();
        Map<String, String> later = new TreeMap<>();
        for (int i = 0; i < 200; i += 2) {
            later.put("key-" + i, "w" + i);
        }
        awaitAll(later.entrySet().stream().map(e -> client.put(e.getKey(), e.getValue())).toList());
        written.putAll(later);

        // Then: b serves every key, with every acknowledged write
        for (Map.Entry<String, String> e : written.entrySet()) {
            assertThat(get("b", e.getKey(), null).get("value").asText()).isEqualTo(e.getValue());
        }

        // When: a comes back
        startInstance("a");
        awaitBothRunningWithStandbys();

        // Then: every partition's standby holds exactly what its primary holds
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (int p = 0; p < PARTITIONS; p++) {
                Map<String, VersionedValue> primary = contents(p, false);
                Map<String, VersionedValue> replica = contents(p, true);
                assertThat(replica).as("partition %d replica", p).isEqualTo(primary);
            }
        });
        // (each partition's store also holds its AppliedOffset entry, which is not data)
        long total = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            total += contents(p, false).keySet().stream().filter(k -> !k.equals(AppliedOffset.KEY)).count();
        }
        assertThat(total).isEqualTo(written.size());
    }

    private void startInstance(String name) {
        int port = ports.get(name);
        instances.put(name, AppInstance.start(environment, pipeline, new AppInstance.Settings("kv-app",
                "instance-" + name, "localhost", port, "localhost", dir.resolve("state-" + name), 1, 1)));
    }

    private void awaitBothRunningWithStandbys() {
        await().atMost(Duration.ofSeconds(90)).until(() -> instances.values().stream().allMatch(i ->
                i.streams().state() == KafkaStreams.State.RUNNING)
                && instances.values().stream().mapToInt(i -> standbyTasks(i.streams()).size()).sum() == PARTITIONS
                && instances.values().stream().allMatch(i -> !activeTasks(i.streams()).isEmpty()));
        // A primary reads fresh only once its own heartbeat has come back through its view.
        await().atMost(Duration.ofSeconds(30)).until(() -> instances.keySet().stream().allMatch(this::seesItsOwnBeat));
    }

    private boolean seesItsOwnBeat(String name) {
        HttpResponse<String> response;
        try {
            response = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + ports.get(name) + "/cluster")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        JsonNode cluster;
        try {
            cluster = JSON.readTree(response.body());
        } catch (IOException e) {
            return false;
        }
        for (JsonNode member : cluster.path("instances")) {
            if (("instance-" + name).equals(member.path("instanceId").asText())) {
                return "ALIVE".equals(member.path("status").asText());
            }
        }
        return false;
    }

    private Map<String, String> keyPerPartition() {
        Map<Integer, String> byPartition = new TreeMap<>();
        for (int i = 0; byPartition.size() < PARTITIONS; i++) {
            byPartition.putIfAbsent(ConsistentHashPartitioner.partitionFor("k" + i, PARTITIONS), "k" + i);
        }
        Map<String, String> keys = new TreeMap<>();
        byPartition.values().forEach(k -> keys.put(k, "value-of-" + k));
        return keys;
    }

    /** The kv store of partition {@code p} on the instance holding it as active (or as standby). */
    private Map<String, VersionedValue> contents(int p, boolean standby) {
        for (AppInstance instance : instances.values()) {
            Set<Integer> held = standby ? standbyTasks(instance.streams()) : activeTasks(instance.streams());
            if (held.contains(p)) {
                ReadOnlyKeyValueStore<String, VersionedValue> store = instance.streams().store(
                        StoreQueryParameters.fromNameAndType(StoreNames.KV, QueryableStoreTypes.<String, VersionedValue>keyValueStore())
                                .withPartition(p).enableStaleStores());
                Map<String, VersionedValue> all = new TreeMap<>();
                try (KeyValueIterator<String, VersionedValue> it = store.all()) {
                    while (it.hasNext()) {
                        KeyValue<String, VersionedValue> kv = it.next();
                        all.put(kv.key, kv.value);
                    }
                }
                return all;
            }
        }
        throw new AssertionError("no instance holds partition " + p + (standby ? " as standby" : " as active"));
    }

    private static Set<Integer> activeTasks(KafkaStreams streams) {
        Set<Integer> partitions = new java.util.TreeSet<>();
        streams.metadataForLocalThreads().forEach(t -> t.activeTasks().forEach(task -> partitions.add(task.taskId().partition())));
        return partitions;
    }

    private static Set<Integer> standbyTasks(KafkaStreams streams) {
        Set<Integer> partitions = new java.util.TreeSet<>();
        streams.metadataForLocalThreads().forEach(t -> t.standbyTasks().forEach(task -> partitions.add(task.taskId().partition())));
        return partitions;
    }

    private JsonNode get(String instance, String key, String position) throws Exception {
        String url = "http://localhost:" + ports.get(instance) + "/kv/" + URLEncoder.encode(key, StandardCharsets.UTF_8)
                + (position == null ? "" : "?position=" + position);
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url + " -> " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private JsonNode getTxn(String instance, String id, int status) throws Exception {
        String url = "http://localhost:" + ports.get(instance) + "/txn/" + URLEncoder.encode(id, StandardCharsets.UTF_8);
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url + " -> " + response.body()).isEqualTo(status);
        return JSON.readTree(response.body());
    }

    private List<ChangeEvent> readChanges(int atLeast) {
        Map<String, Object> config = new HashMap<>(environment.clientConfig());
        config.put("schema.registry.url", environment.schemaRegistryUrl());
        config.put(AvroDeserializer.SPECIFIC_AVRO_READER, "true");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        AvroDeserializer<ChangeEvent> values = new AvroDeserializer<>();
        values.configure(config, false);
        List<ChangeEvent> seen = new ArrayList<>();
        try (KafkaConsumer<String, ChangeEvent> consumer = new KafkaConsumer<>(config, new StringDeserializer(), values)) {
            List<TopicPartition> tps = consumer.partitionsFor(pipeline.topics().changes()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((seen.size() < atLeast || tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)))
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.value()));
            }
        }
        return seen;
    }

    private static WriteResult result(CompletableFuture<WriteResult> future) throws Exception {
        return future.get(60, TimeUnit.SECONDS);
    }

    private static void awaitAll(List<CompletableFuture<WriteResult>> futures) throws Exception {
        for (CompletableFuture<WriteResult> f : futures) {
            assertThat(result(f).isCommitted()).isTrue();
        }
    }

}
