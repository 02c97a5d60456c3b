package io.kvpipe.app.query;

import io.kvpipe.app.topology.HeldTransactions;
import io.kvpipe.schemas.testing.InMemorySchemaRegistry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvpipe.app.embedded.EmbeddedKafkaBroker;
import io.kvpipe.app.heartbeat.HeartbeatPublisher;
import io.kvpipe.app.heartbeat.HeartbeatSettings;
import io.kvpipe.app.heartbeat.ProcessingLiveness;
import io.kvpipe.app.heartbeat.StreamsLocalTasks;
import io.kvpipe.app.membership.MemberStatus;
import io.kvpipe.app.membership.MembershipSettings;
import io.kvpipe.app.membership.MembershipView;
import io.kvpipe.app.topics.TopicProvisioner;
import io.kvpipe.app.topics.TopicProvisioner.TopicSpec;
import io.kvpipe.app.topology.AppliedOffset;
import io.kvpipe.app.topology.StoreNames;
import io.kvpipe.avro.VersionedValue;
import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import io.kvpipe.schemas.Topics;
import io.kvpipe.schemas.registry.SchemaRegistryClient;
import io.kvpipe.schemas.serde.AvroSerde;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances of a stand-in topology (the requests topic materialized into the {@code kv} store,
 * one standby replica) in one JVM against a real in-JVM broker, each with its heartbeat publisher,
 * membership view and query server, wired as the launcher must wire them.
 */
@Timeout(120)
class QueryClusterIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Topics TOPICS = Topics.defaults();
    private static final int PARTITIONS = 4;

    @TempDir
    Path dir;

    private EmbeddedKafkaBroker broker;
    private final SchemaRegistryClient registry = new InMemorySchemaRegistry();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    /** One instance: Kafka Streams, heartbeats, membership view, query server. */
    private final class Instance {
        final String id;
        final int port;
        final ProcessingLiveness liveness = new ProcessingLiveness();
        final Stall stall = new Stall();
        final KafkaStreams streams;
        MembershipView membership;
        HeartbeatPublisher heartbeats;
        QueryServer server;

        Instance(String id) throws IOException {
            this.id = id;
            this.port = freePort();
            Properties props = new Properties();
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, "query-it");
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state-" + id).toString());
            props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, "localhost:" + port);
            props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1);
            props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
            props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
            props.put(StreamsConfig.consumerPrefix("session.timeout.ms"), 45_000);
            this.streams = new KafkaStreams(standInTopology(liveness, registry, stall), props);
        }

        void start() {
            // Streams first (so its metadata exists), then the view, the beat and the server.
            streams.start();
            Map<String, Object> client = Map.of("bootstrap.servers", broker.bootstrapServers());
            membership = MembershipView.start(MembershipSettings.defaults(TOPICS.heartbeats()), client, registry);
            heartbeats = HeartbeatPublisher.start(
                    HeartbeatSettings.of(id, "localhost:" + port, TOPICS.heartbeats()),
                    new StreamsLocalTasks(streams, TOPICS.requests(), StoreNames.KV), liveness, client, registry);
            server = QueryServer.start(QueryServerSettings.builder(id, streams, membership, registry, new HeldTransactions())
                    .listen("localhost", port).topics(TOPICS).build());
            // Closed in reverse: server, beat, view, streams.
            toClose.add(() -> streams.close(Duration.ofSeconds(10)));
            toClose.add(membership);
            toClose.add(heartbeats);
            toClose.add(server);
            toClose.add(stall::release); // first: a held stream thread would hold up the close
        }

        String endpoint() {
            return "localhost:" + port;
        }
    }

    /**
     * Holds the stream thread inside {@code process()} on a record whose value is {@link #VALUE},
     * as a call that hangs (a dependency that does not answer, a lock never released) would.
     */
    static final class Stall {
        static final String VALUE = "stall";
        final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        void holdIfAsked(String value) {
            if (!VALUE.equals(value)) {
                return;
            }
            entered.countDown();
            try {
                if (!released.await(100, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the stall was never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void release() {
            released.countDown();
        }
    }

    /**
     * The requests topic (plain strings here) materialized into kv, ticking liveness as it goes;
     * {@code stall} holds the thread on a record that asks for it.
     */
    static org.apache.kafka.streams.Topology standInTopology(ProcessingLiveness liveness, SchemaRegistryClient registry,
            Stall stall) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.KV),
                Serdes.String(), AvroSerde.forValues(VersionedValue.class, registry)));
        builder.stream(TOPICS.requests(), Consumed.with(Serdes.String(), Serdes.String()))
                .process(() -> new Processor<String, String, Void, Void>() {
                    private KeyValueStore<String, VersionedValue> kv;
                    private ProcessorContext<Void, Void> context;

                    @Override
                    public void init(ProcessorContext<Void, Void> context) {
                        this.context = context;
                        this.kv = context.getStateStore(StoreNames.KV);
                        context.schedule(Duration.ofMillis(100), PunctuationType.WALL_CLOCK_TIME, t -> liveness.tick());
                    }

                    @Override
                    public void process(Record<String, String> record) {
                        liveness.tick();
                        stall.holdIfAsked(record.value());
                        VersionedValue previous = kv.get(record.key());
                        long offset = context.recordMetadata().map(m -> m.offset()).orElse(-1L);
                        kv.put(record.key(), VersionedValue.newBuilder()
                                .setValue(record.value())
                                .setVersion(previous == null ? 1 : previous.getVersion() + 1)
                                .setRequestId("offset-" + offset)
                                .setUpdatedAtMs(record.timestamp())
                                .build());
                        // As the request topology does: how far the store got, after the write.
                        kv.put(AppliedOffset.KEY, AppliedOffset.entry(offset, record.timestamp()));
                    }
                }, StoreNames.KV);
        return builder.build();
    }

    @AfterEach
    void closeAll() {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                // keep closing the rest
            }
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** Two running instances of the stand-in topology, on a fresh broker. */
    private record Cluster(Instance a, Instance b) {}

    /**
     * Starts the broker, the topics and two instances, and waits until every partition has a
     * primary and a replica on different instances and each instance sees both alive (a primary
     * answers fresh only once it sees its own heartbeat come back through its view).
     */
    private Cluster startBalanced() throws Exception {
        broker = EmbeddedKafkaBroker.start("localhost", freePort(), freePort(), dir.resolve("broker"));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            new TopicProvisioner(admin).ensure(List.of(
                    new TopicSpec(TOPICS.requests(), PARTITIONS, Optional.of((short) 1), Map.of()),
                    new TopicSpec(TOPICS.heartbeats(), 1, Optional.of((short) 1), Map.of())));
        }
        Instance a = new Instance("app-a");
        Instance b = new Instance("app-b");
        a.start();
        b.start();
        await().atMost(Duration.ofSeconds(45)).until(() -> balanced(a) && balanced(b));
        await().atMost(Duration.ofSeconds(15)).until(() -> aliveIn(a, a, b) && aliveIn(b, a, b));
        return new Cluster(a, b);
    }

    @Test
    void readsRouteToThePrimaryAndFailOverToAReplicaWhenItsInstanceDies() throws Exception {
        Cluster started = startBalanced();
        Instance a = started.a();
        Instance b = started.b();

        // A write to a key; where does it live?
        RecordMetadata written = write("user:42", "hello");
        KeyQueryMetadata where = a.streams.queryMetadataForKey(StoreNames.KV, "user:42", new ConsistentHashPartitioner());
        assertThat(written.partition()).isEqualTo(where.partition());
        Instance primary = where.activeHost().port() == a.port ? a : b;
        Instance other = primary == a ? b : a;
        String position = written.partition() + ":" + written.offset();

        // Read-your-writes from the instance that does not hold it: forwarded to the primary.
        JsonNode forwarded = getJson(other, "/kv/user:42?position=" + position, 200);
        assertThat(forwarded.get("value").asText()).isEqualTo("hello");
        assertThat(forwarded.get("version").asLong()).isEqualTo(1);
        assertThat(forwarded.get("partition").asInt()).isEqualTo(written.partition());
        assertThat(forwarded.get("servedBy").asText()).isEqualTo(primary.id);
        assertThat(forwarded.get("role").asText()).isEqualTo("primary");
        assertThat(forwarded.get("stale").asBoolean()).isFalse();

        // And locally on the primary.
        JsonNode local = getJson(primary, "/kv/user:42", 200);
        assertThat(local.get("servedBy").asText()).isEqualTo(primary.id);
        assertThat(local.get("role").asText()).isEqualTo("primary");
        assertThat(local.get("lag").asLong()).isZero();

        // A position not reached yet: 409 after the wait. On another partition: 400. Absent key: 404.
        JsonNode behind = getJson(other, "/kv/user:42?timeoutMs=300&position=" + written.partition() + ":"
                + (written.offset() + 1000), 409);
        assertThat(behind.get("reason").asText()).isEqualTo("not_caught_up");
        getJson(other, "/kv/user:42?position=" + ((written.partition() + 1) % PARTITIONS) + ":0", 400);

        // The version form (for commits that wrote nothing at a known offset): the key at that
        // version or later, forwarded like the offset form; a version not reached is a 409 too.
        JsonNode byVersion = getJson(other, "/kv/user:42?position=" + written.partition() + ":v1", 200);
        assertThat(byVersion.get("version").asLong()).isEqualTo(1);
        assertThat(byVersion.get("role").asText()).isEqualTo("primary");
        JsonNode versionBehind = getJson(other, "/kv/user:42?timeoutMs=300&position=" + written.partition() + ":v2", 409);
        assertThat(versionBehind.get("position").asText()).isEqualTo(written.partition() + ":v2");
        getJson(other, "/kv/nobody-wrote-this", 404);

        // Heartbeats: each view sees both instances ALIVE with what they hold.
        JsonNode cluster = getJson(other, "/cluster", 200);
        assertThat(cluster.get("instances")).hasSize(2);
        cluster.get("instances").forEach(i -> assertThat(i.get("status").asText()).isEqualTo("ALIVE"));
        assertThat(cluster.get("partitions")).hasSize(PARTITIONS);
        cluster.get("partitions").forEach(p -> {
            assertThat(p.get("primary").get("status").asText()).isEqualTo("ALIVE");
            assertThat(p.get("replicas")).hasSize(1);
        });
        JsonNode primaryMember = member(cluster, primary.id);
        assertThat(primaryMember.get("primaries").findValuesAsText("partition"))
                .contains(String.valueOf(written.partition()));

        for (Instance instance : List.of(a, b)) {
            JsonNode health = getJson(instance, "/health", 200);
            assertThat(health.get("status").asText()).isEqualTo("UP");
            assertThat(get(instance, "/metrics").body()).contains("kafka_stream_").contains("jvm_");
            // Task-level metrics appear once tasks exist, within a refresh (not Micrometer's default minute)
            await().atMost(QueryServer.METRICS_REFRESH.multipliedBy(3))
                    .untilAsserted(() -> assertThat(get(instance, "/metrics").body())
                            .contains("kafka_stream_task_").contains("kafka_stream_processor_node_record_e2e_latency"));
        }

        // The primary's instance stops beating. Until Kafka Streams moves its partitions it still
        // holds them as active, but once its own beat has not come back for the suspect interval
        // it no longer vouches for them: a zombie primary's read is stale, and says why.
        primary.heartbeats.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> primary.membership.status(primary.id) != MemberStatus.ALIVE);
        JsonNode zombie = getJson(primary, "/kv/user:42", 200);
        assertThat(zombie.get("role").asText()).isEqualTo("primary");
        assertThat(zombie.get("stale").asBoolean()).isTrue();
        assertThat(zombie.get("sinceOwnBeatMs").asLong()).isGreaterThanOrEqualTo(1000);

        // Then it stops processing too; its group membership (and so the Streams metadata)
        // outlives it for the session timeout, the heartbeats do not.
        primary.streams.close(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(10)).until(() -> other.membership.status(primary.id) == MemberStatus.SUSPECTED
                || other.membership.status(primary.id) == MemberStatus.DEAD);
        await().atMost(Duration.ofSeconds(10)).until(() -> other.membership.status(primary.id) == MemberStatus.DEAD);
        assertThat(other.membership.status(other.id)).isEqualTo(MemberStatus.ALIVE);

        // The survivor serves the key from its replica, saying so, read-your-writes included.
        JsonNode replica = getJson(other, "/kv/user:42?position=" + position, 200);
        assertThat(replica.get("value").asText()).isEqualTo("hello");
        assertThat(replica.get("servedBy").asText()).isEqualTo(other.id);
        // (close() keeps the dead instance in the group until its 45 s session times out, so the
        // Streams metadata still names it the active host: the membership view is what fails over.)
        assertThat(other.streams.queryMetadataForKey(StoreNames.KV, "user:42", new ConsistentHashPartitioner())
                .activeHost().port()).isEqualTo(primary.port);
        assertThat(replica.get("role").asText()).isEqualTo("replica");
        assertThat(replica.get("stale").asBoolean()).isTrue();
        assertThat(replica.get("lag").isNumber()).as(replica.toString()).isTrue();
        JsonNode afterDeath = getJson(other, "/cluster", 200);
        assertThat(member(afterDeath, primary.id).get("status").asText()).isEqualTo("DEAD");
    }

    @Test
    void aStreamThreadThatStopsProcessingStopsTheBeatWhileTheGroupStillCountsIt() throws Exception {
        Cluster started = startBalanced();
        Instance a = started.a();
        Instance b = started.b();

        // Two keys whose primary is a: one written and read back, then a write to the other that
        // holds a's only stream thread in process().
        String before = keyWithPrimaryOn(a, 0);
        String key = keyWithPrimaryOn(a, 1);
        RecordMetadata first = write(before, "before");
        getJson(b, "/kv/" + before + "?position=" + first.partition() + ":" + first.offset(), 200);
        RecordMetadata written = write(key, Stall.VALUE);
        assertThat(a.stall.entered.await(30, TimeUnit.SECONDS)).as("a's stream thread took the stalling record").isTrue();

        // a stops beating: both views see it suspected (then dead) while b stays alive.
        await().atMost(Duration.ofSeconds(10)).until(() -> b.membership.status(a.id) != MemberStatus.ALIVE);
        await().atMost(Duration.ofSeconds(10)).until(() -> a.membership.status(a.id) != MemberStatus.ALIVE);
        assertThat(b.membership.status(b.id)).isEqualTo(MemberStatus.ALIVE);
        assertThat(member(getJson(b, "/cluster", 200), a.id).get("status").asText()).isIn("SUSPECTED", "DEAD");
        // Its consumer keeps heartbeating on its own thread, so Kafka still counts a in the group
        // with its partitions: only our beat tells that it does nothing.
        assertThat(a.streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
        assertThat(b.streams.queryMetadataForKey(StoreNames.KV, key, new ConsistentHashPartitioner())
                .activeHost().port()).isEqualTo(a.port);
        // What it still serves, it serves as stale, saying since when it has not seen its own beat.
        JsonNode zombie = getJson(a, "/kv/" + before, 200);
        assertThat(zombie.get("value").asText()).isEqualTo("before");
        assertThat(zombie.get("role").asText()).isEqualTo("primary");
        assertThat(zombie.get("stale").asBoolean()).isTrue();
        assertThat(zombie.get("sinceOwnBeatMs").asLong()).isGreaterThanOrEqualTo(1000);

        // Released, it applies the write and beats again.
        a.stall.release();
        await().atMost(Duration.ofSeconds(15)).until(() -> b.membership.status(a.id) == MemberStatus.ALIVE);
        // (a serves a read-your-writes read only once its own view has its beat back too)
        await().atMost(Duration.ofSeconds(15)).until(() -> a.membership.status(a.id) == MemberStatus.ALIVE);
        JsonNode applied = getJson(b, "/kv/" + key + "?position=" + written.partition() + ":" + written.offset(), 200);
        assertThat(applied.get("value").asText()).isEqualTo(Stall.VALUE);
        assertThat(applied.get("servedBy").asText()).isEqualTo(a.id);
        assertThat(applied.get("stale").asBoolean()).isFalse();
    }

    /** The {@code nth} (from 0) of the keys "stall-0", "stall-1"... whose primary is on {@code instance}. */
    private static String keyWithPrimaryOn(Instance instance, int nth) {
        int found = 0;
        for (int i = 0; ; i++) {
            String key = "stall-" + i;
            if (instance.streams.queryMetadataForKey(StoreNames.KV, key, new ConsistentHashPartitioner())
                    .activeHost().port() == instance.port && found++ == nth) {
                return key;
            }
        }
    }

    private boolean balanced(Instance instance) {
        if (instance.streams.state() != KafkaStreams.State.RUNNING) {
            return false;
        }
        var clients = instance.streams.metadataForAllStreamsClients();
        if (clients.size() != 2) {
            return false;
        }
        int actives = 0;
        int standbys = 0;
        for (StreamsMetadata client : clients) {
            if (client.topicPartitions().isEmpty() || client.standbyTopicPartitions().isEmpty()) {
                return false;
            }
            actives += client.topicPartitions().size();
            standbys += client.standbyTopicPartitions().size();
        }
        return actives == PARTITIONS && standbys == PARTITIONS;
    }

    private static boolean aliveIn(Instance viewer, Instance... instances) {
        for (Instance instance : instances) {
            var member = viewer.membership.member(instance.id);
            if (member.isEmpty() || member.get().status() != MemberStatus.ALIVE
                    || !instance.endpoint().equals(member.get().endpoint()) || member.get().primaries().isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private static JsonNode member(JsonNode cluster, String id) {
        for (JsonNode instance : cluster.get("instances")) {
            if (id.equals(instance.path("instanceId").asText())) {
                return instance;
            }
        }
        throw new AssertionError(id + " not in " + cluster);
    }

    private RecordMetadata write(String key, String value) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.PARTITIONER_CLASS_CONFIG, ConsistentHashPartitioner.class.getName(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            return producer.send(new ProducerRecord<>(TOPICS.requests(), key, value)).get();
        }
    }

    private static HttpResponse<String> get(Instance instance, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(instance.server.url() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode getJson(Instance instance, String path, int status) throws Exception {
        HttpResponse<String> response = get(instance, path);
        assertThat(response.statusCode()).as("%s %s: %s", instance.id, path, response.body()).isEqualTo(status);
        return JSON.readTree(response.body());
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
