package io.kvpipe.app.membership;

import io.kvpipe.schemas.testing.InMemorySchemaRegistry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kvpipe.app.heartbeat.TaskProgress;
import io.kvpipe.avro.Heartbeat;
import io.kvpipe.avro.PartitionProgress;
import io.kvpipe.schemas.serde.AvroDeserializer;
import io.kvpipe.schemas.serde.AvroSerializer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.internals.AutoOffsetResetStrategy;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class MembershipViewTest {

    private static final String TOPIC = "kv-heartbeats";
    private static final long T0 = 1_700_000_000_000L;

    private final AtomicLong clock = new AtomicLong(T0);
    private final MembershipView view = MembershipView.detached(MembershipSettings.defaults(TOPIC), clock::get);

    static Heartbeat beat(String id, String endpoint, long sequence) {
        return Heartbeat.newBuilder()
                .setInstanceId(id)
                .setQueryEndpoint(endpoint)
                .setSequence(sequence)
                .setTimestampMs(0)
                .setPrimaries(List.of(new PartitionProgress(0, 10L, 1L)))
                .setReplicas(List.of(new PartitionProgress(1, 20L, null)))
                .build();
    }

    @Test
    void foldsABeatIntoAMember() {
        view.observe(beat("a", "h1:1", 5), T0);

        Member a = view.member("a").orElseThrow();
        assertThat(a.endpoint()).isEqualTo("h1:1");
        assertThat(a.sequence()).isEqualTo(5);
        assertThat(a.lastBeatMs()).isEqualTo(T0);
        assertThat(a.primaries()).containsExactly(new TaskProgress(0, 10, 1L));
        assertThat(a.replicas()).containsExactly(new TaskProgress(1, 20, null));
        assertThat(a.status()).isEqualTo(MemberStatus.ALIVE);
        assertThat(view.members()).containsOnlyKeys("a");
    }

    @Test
    void ignoresBeatsNotNewerThanTheLastSequence() {
        assertThat(view.observe(beat("a", "h1:1", 5), T0)).isTrue();
        clock.addAndGet(2000);
        assertThat(view.observe(beat("a", "h-old:1", 4), clock.get())).isFalse();
        assertThat(view.observe(beat("a", "h-old:1", 5), clock.get())).isFalse();

        Member a = view.member("a").orElseThrow();
        assertThat(a.endpoint()).isEqualTo("h1:1");
        assertThat(a.lastBeatMs()).isEqualTo(T0);
        assertThat(a.status()).isEqualTo(MemberStatus.SUSPECTED);
    }

    @Test
    void statusFollowsTheDocumentedThresholds() {
        view.observe(beat("a", "h1:1", 1), T0);
        assertThat(statusAfter(0)).isEqualTo(MemberStatus.ALIVE);
        assertThat(statusAfter(999)).isEqualTo(MemberStatus.ALIVE);
        assertThat(statusAfter(1000)).isEqualTo(MemberStatus.SUSPECTED); // 4 intervals of 250 ms
        assertThat(statusAfter(2999)).isEqualTo(MemberStatus.SUSPECTED);
        assertThat(statusAfter(3000)).isEqualTo(MemberStatus.DEAD); // 12 intervals
        assertThat(view.member("a").orElseThrow().sinceLastBeatMs()).isEqualTo(3000);

        // A new beat brings it back.
        view.observe(beat("a", "h1:1", 2), clock.get());
        assertThat(view.status("a")).isEqualTo(MemberStatus.ALIVE);
    }

    private MemberStatus statusAfter(long ms) {
        clock.set(T0 + ms);
        return view.status("a");
    }

    @Test
    void aReplayedBeatCountsFromItsOwnTimeNotAsFresh() {
        view.observe(beat("gone", "h9:1", 1), T0 - 60_000);
        assertThat(view.status("gone")).isEqualTo(MemberStatus.DEAD);

        view.observe(beat("recent", "h8:1", 1), T0 - 1500);
        assertThat(view.status("recent")).isEqualTo(MemberStatus.SUSPECTED);
    }

    @Test
    void aNewerBeatWithAnOlderTimeDoesNotMoveTheLastBeatBack() {
        view.observe(beat("a", "h1:1", 1), T0);
        view.observe(beat("a", "h1:1", 2), T0 - 5000);
        assertThat(view.member("a").orElseThrow().lastBeatMs()).isEqualTo(T0);
        assertThat(view.member("a").orElseThrow().sequence()).isEqualTo(2);
    }

    @Test
    void unknownInstancesAndEndpoints() {
        assertThat(view.status("nobody")).isEqualTo(MemberStatus.UNKNOWN);
        assertThat(view.statusAt("nowhere:1")).isEqualTo(MemberStatus.UNKNOWN);
        assertThat(view.member("nobody")).isEmpty();
    }

    @Test
    void anEndpointBelongsToTheInstanceThatBeatWithItLast() {
        view.observe(beat("old-id", "h1:1", 1), T0 - 10_000);
        view.observe(beat("new-id", "h1:1", 1), T0);
        view.observe(beat("other", "h2:1", 1), T0);
        assertThat(view.memberAt("h1:1").orElseThrow().instanceId()).isEqualTo("new-id");
        assertThat(view.statusAt("h1:1")).isEqualTo(MemberStatus.ALIVE);
    }

    @Test
    void membersSilentLongerThanForgetAfterAreLeftOutButStillJudged() {
        view.observe(beat("a", "h1:1", 1), T0);
        view.observe(beat("b", "h2:1", 1), T0 + Duration.ofMinutes(9).toMillis());
        clock.set(T0 + Duration.ofMinutes(10).toMillis());
        assertThat(view.members()).containsOnlyKeys("b");
        assertThat(view.status("a")).isEqualTo(MemberStatus.DEAD);
    }

    @Test
    void aSnapshotDoesNotChangeAfterwards() {
        view.observe(beat("a", "h1:1", 1), T0);
        Map<String, Member> before = view.members();
        view.observe(beat("b", "h2:1", 1), T0);
        assertThat(before).containsOnlyKeys("a");
        assertThatThrownBy(() -> before.clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void phiIsLowRightAfterABeatAndHighWhenBeatsAreLongOverdue() {
        for (int i = 0; i < 20; i++) {
            view.observe(beat("a", "h1:1", i), T0 + i * 250L);
        }
        clock.set(T0 + 19 * 250L);
        double fresh = view.member("a").orElseThrow().phi();
        clock.addAndGet(500);
        double late = view.member("a").orElseThrow().phi();
        clock.addAndGet(2500);
        double dead = view.member("a").orElseThrow().phi();
        assertThat(fresh).isLessThan(1);
        assertThat(late).isGreaterThan(fresh);
        assertThat(dead).isGreaterThan(8).isGreaterThan(late);
    }

    @Test
    void settingsValidateTheirThresholds() {
        assertThat(MembershipSettings.defaults(TOPIC).suspectAfter()).isEqualTo(Duration.ofSeconds(1));
        assertThat(MembershipSettings.defaults(TOPIC).deadAfter()).isEqualTo(Duration.ofSeconds(3));
        assertThatThrownBy(() -> new MembershipSettings(TOPIC, Duration.ofMillis(250), Duration.ofSeconds(3),
                Duration.ofSeconds(1), Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theReaderCountsBeatsFromBeforeTheStartByTheirTimestampAndLaterOnesByArrival() {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        AvroSerializer<Heartbeat> serializer = new AvroSerializer<>(registry, false);
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        MockConsumer<String, byte[]> consumer = new MockConsumer<>(AutoOffsetResetStrategy.EARLIEST.name());
        consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, Node.noNode(), new Node[0], new Node[0])));
        consumer.updateBeginningOffsets(Map.of(tp, 0L));
        consumer.updateEndOffsets(Map.of(tp, 3L)); // three beats were there before the start
        consumer.schedulePollTask(() -> {
            consumer.addRecord(record(0, T0 - 60_000, "gone", serializer.serialize(TOPIC, beat("gone", "h9:1", 1))));
            consumer.addRecord(record(1, T0 - 100, "a", new byte[] {1, 2, 3})); // undecodable: skipped
            consumer.addRecord(record(2, T0 - 100, "a", serializer.serialize(TOPIC, beat("a", "h1:1", 7))));
            consumer.addRecord(record(3, T0 - 90_000, "b", serializer.serialize(TOPIC, beat("b", "h2:1", 1))));
        });

        try (MembershipView reader = MembershipView.reading(MembershipSettings.defaults(TOPIC), clock::get, consumer,
                new AvroDeserializer<>(registry, Heartbeat.class))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> reader.members().size() == 3 && reader.caughtUp());
            assertThat(reader.status("gone")).isEqualTo(MemberStatus.DEAD);
            assertThat(reader.member("a").orElseThrow().lastBeatMs()).isEqualTo(T0 - 100);
            // b's record came after the start: it counts from its arrival, whatever its timestamp says.
            assertThat(reader.member("b").orElseThrow().lastBeatMs()).isEqualTo(T0);
            assertThat(reader.status("b")).isEqualTo(MemberStatus.ALIVE);
        }
    }

    private static ConsumerRecord<String, byte[]> record(long offset, long timestamp, String key, byte[] value) {
        return new ConsumerRecord<>(TOPIC, 0, offset, timestamp, TimestampType.CREATE_TIME, 0, value.length, key, value,
                new org.apache.kafka.common.header.internals.RecordHeaders(), java.util.Optional.empty());
    }
}
