package io.kvpipe.app.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvpipe.app.membership.MemberStatus;
import io.kvpipe.avro.VersionedValue;
import io.kvpipe.schemas.ReadPosition;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

class KvReaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HostInfo SELF = new HostInfo("a", 1);
    private static final HostInfo B = new HostInfo("b", 1);
    private static final HostInfo C = new HostInfo("c", 1);
    private static final Duration WAIT = Duration.ofSeconds(2);

    private KeyLocation location = KeyLocation.of(3, SELF, Set.of(B));
    private final Map<HostInfo, MemberStatus> statuses = new HashMap<>();
    private final Deque<LocalRead> localReads = new ArrayDeque<>();
    private final List<String> localCalls = new ArrayList<>();
    private final Map<HostInfo, Forwarder.Answer> answers = new HashMap<>();
    private final List<String> forwards = new ArrayList<>();
    private OwnHeartbeat.Seen ownBeat = new OwnHeartbeat.Seen(true, 120L);

    private final KvReader reader = new KvReader("me",
            key -> location,
            new QueryRouter(SELF, h -> statuses.getOrDefault(h, MemberStatus.UNKNOWN)),
            (key, partition, activeOnly, position, wait) -> {
                localCalls.add((activeOnly ? "primary" : "any") + " p" + partition + " " + position);
                return localReads.isEmpty() ? LocalRead.notHere("nothing here") : localReads.poll();
            },
            (target, key, hop, position, wait) -> {
                forwards.add(Endpoints.of(target) + " " + hop.want() + " " + position);
                return answers.getOrDefault(target, Forwarder.Answer.none("connection refused"));
            },
            () -> ownBeat);

    private static VersionedValue value(String v, long version) {
        return VersionedValue.newBuilder().setValue(v).setVersion(version).setRequestId("r").setUpdatedAtMs(0).build();
    }

    private static JsonNode json(Reply reply) throws Exception {
        return JSON.readTree(reply.body());
    }

    @Test
    void theLocalPrimaryAnswersFresh() throws Exception {
        localReads.add(LocalRead.found(value("v1", 4), true, 0L));

        Reply reply = reader.get("k", null, WAIT, Hop.ORIGIN);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.route()).isEqualTo("local_primary");
        JsonNode body = json(reply);
        assertThat(body.get("key").asText()).isEqualTo("k");
        assertThat(body.get("value").asText()).isEqualTo("v1");
        assertThat(body.get("version").asLong()).isEqualTo(4);
        assertThat(body.get("partition").asInt()).isEqualTo(3);
        assertThat(body.get("servedBy").asText()).isEqualTo("me");
        assertThat(body.get("role").asText()).isEqualTo("primary");
        assertThat(body.get("stale").asBoolean()).isFalse();
        assertThat(body.get("lag").asLong()).isZero();
        assertThat(localCalls).containsExactly("primary p3 null");
    }

    @Test
    void absentAndDeletedKeysAre404WithTheirRole() throws Exception {
        localReads.add(LocalRead.found(null, true, 0L));
        Reply absent = reader.get("k", null, WAIT, Hop.ORIGIN);
        assertThat(absent.status()).isEqualTo(404);
        assertThat(json(absent).get("error").asText()).contains("not found");
        assertThat(json(absent).get("status").asInt()).isEqualTo(404);
        assertThat(json(absent).has("version")).isFalse();

        localReads.add(LocalRead.found(value(null, 9), true, 0L));
        Reply deleted = reader.get("k", null, WAIT, Hop.ORIGIN);
        assertThat(deleted.status()).isEqualTo(404);
        assertThat(json(deleted).get("error").asText()).contains("deleted");
        assertThat(json(deleted).get("version").asLong()).isEqualTo(9);
        assertThat(json(deleted).has("value")).isFalse();
    }

    @Test
    void aLiveActiveElsewhereIsForwardedToAndItsAnswerRelayed() {
        location = KeyLocation.of(3, B, Set.of(SELF));
        statuses.put(B, MemberStatus.ALIVE);
        answers.put(B, Forwarder.Answer.of(200, "{\"servedBy\":\"b\"}"));

        Reply reply = reader.get("k", new ReadPosition(3, 17), WAIT, Hop.ORIGIN);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo("{\"servedBy\":\"b\"}");
        assertThat(reply.route()).isEqualTo("forward_primary");
        assertThat(forwards).containsExactly("b:1 primary 3:17");
        assertThat(localCalls).isEmpty();
    }

    @Test
    void aFailedForwardFallsBackToTheLocalReplicaWhichSaysItIsStale() throws Exception {
        location = KeyLocation.of(3, B, Set.of(SELF));
        statuses.put(B, MemberStatus.SUSPECTED);
        localReads.add(LocalRead.found(value("old", 2), false, 12L));

        Reply reply = reader.get("k", null, WAIT, Hop.ORIGIN);

        assertThat(forwards).containsExactly("b:1 primary null");
        assertThat(localCalls).containsExactly("any p3 null");
        assertThat(reply.status()).isEqualTo(200);
        JsonNode body = json(reply);
        assertThat(body.get("role").asText()).isEqualTo("replica");
        assertThat(body.get("stale").asBoolean()).isTrue();
        assertThat(body.get("lag").asLong()).isEqualTo(12);
        assertThat(body.get("value").asText()).isEqualTo("old");
    }

    @Test
    void aDeadActiveIsNotAskedAndALiveStandbyElsewhereIsAskedForItsReplica() {
        location = KeyLocation.of(3, B, Set.of(C));
        statuses.put(B, MemberStatus.DEAD);
        statuses.put(C, MemberStatus.ALIVE);
        answers.put(C, Forwarder.Answer.of(200, "{\"role\":\"replica\",\"stale\":true}"));

        Reply reply = reader.get("k", null, WAIT, Hop.ORIGIN);

        assertThat(forwards).containsExactly("c:1 replica null");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.route()).isEqualTo("forward_replica");
    }

    @Test
    void aForwardAnswered503MovesOnAndOtherAnswersAreFinal() {
        location = KeyLocation.of(3, B, Set.of(C));
        answers.put(B, Forwarder.Answer.of(503, "{\"error\":\"not active here\",\"status\":503}"));
        answers.put(C, Forwarder.Answer.of(404, "{\"error\":\"key 'k' not found\",\"status\":404}"));

        Reply reply = reader.get("k", null, WAIT, Hop.ORIGIN);

        assertThat(forwards).containsExactly("b:1 primary null", "c:1 replica null");
        assertThat(reply.status()).isEqualTo(404);
    }

    @Test
    void aLocalReplicaThatTurnsOutActiveIsPresentedAsPrimary() throws Exception {
        location = KeyLocation.of(3, B, Set.of(SELF));
        statuses.put(B, MemberStatus.DEAD);
        localReads.add(LocalRead.found(value("v", 1), true, 0L));

        JsonNode body = json(reader.get("k", null, WAIT, Hop.ORIGIN));

        assertThat(body.get("role").asText()).isEqualTo("primary");
        assertThat(body.get("stale").asBoolean()).isFalse();
    }

    @Test
    void aReplicaWithUnknownLagSaysSoAndIsStillStale() throws Exception {
        location = KeyLocation.of(3, B, Set.of(SELF));
        statuses.put(B, MemberStatus.DEAD);
        localReads.add(LocalRead.found(value("v", 1), false, null));

        JsonNode body = json(reader.get("k", null, WAIT, Hop.ORIGIN));

        assertThat(body.get("stale").asBoolean()).isTrue();
        assertThat(body.get("lag").isNull()).isTrue();
    }

    @Test
    void aStoreBehindThePositionIs409NotCaughtUpWithoutTryingReplicas() throws Exception {
        localReads.add(LocalRead.behind("the store has not reached 3:17"));

        Reply reply = reader.get("k", new ReadPosition(3, 17), WAIT, Hop.ORIGIN);

        assertThat(reply.status()).isEqualTo(409);
        JsonNode body = json(reply);
        assertThat(body.get("reason").asText()).isEqualTo("not_caught_up");
        assertThat(body.get("position").asText()).isEqualTo("3:17");
        assertThat(body.get("status").asInt()).isEqualTo(409);
        assertThat(forwards).isEmpty();
    }

    @Test
    void aPositionOnAnotherPartitionIs400() throws Exception {
        Reply reply = reader.get("k", new ReadPosition(1, 17), WAIT, Hop.ORIGIN);
        assertThat(reply.status()).isEqualTo(400);
        assertThat(json(reply).get("error").asText()).contains("partition 1").contains("partition 3");
        assertThat(localCalls).isEmpty();
    }

    @Test
    void unavailableMetadataIs503() throws Exception {
        location = KeyLocation.unavailable("the partitions are being (re)assigned");
        Reply reply = reader.get("k", null, WAIT, Hop.ORIGIN);
        assertThat(reply.status()).isEqualTo(503);
        assertThat(json(reply).get("error").asText()).contains("(re)assigned");
    }

    @Test
    void whenEveryRouteFailsThe503SaysWhatWasTried() throws Exception {
        location = KeyLocation.of(3, B, Set.of(C));
        Reply reply = reader.get("k", null, WAIT, Hop.ORIGIN);
        assertThat(reply.status()).isEqualTo(503);
        assertThat(json(reply).get("error").asText())
                .contains("forward_primary b:1: connection refused")
                .contains("forward_replica c:1: connection refused");
    }

    @Test
    void aForwardedReadIsNeverForwardedAgain() throws Exception {
        location = KeyLocation.of(3, B, Set.of(C)); // this instance's metadata says: not here
        Reply reply = reader.get("k", null, WAIT, Hop.FOR_PRIMARY);
        assertThat(forwards).isEmpty();
        assertThat(localCalls).containsExactly("primary p3 null");
        assertThat(reply.status()).isEqualTo(503);
    }

    @Test
    void aPrimaryCutOffFromItsOwnHeartbeatAnswersStaleAndSaysForHowLong() throws Exception {
        ownBeat = new OwnHeartbeat.Seen(false, 4_200L);
        localReads.add(LocalRead.found(value("v1", 4), true, 0L));

        Reply reply = reader.get("k", null, WAIT, Hop.ORIGIN);

        assertThat(reply.status()).isEqualTo(200);
        JsonNode body = json(reply);
        assertThat(body.get("role").asText()).isEqualTo("primary");
        assertThat(body.get("stale").asBoolean()).isTrue();
        assertThat(body.get("sinceOwnBeatMs").asLong()).isEqualTo(4_200L);
        assertThat(body.get("lag").isNull()).isTrue();
        assertThat(body.get("value").asText()).isEqualTo("v1");
    }

    @Test
    void aPrimaryThatNeverSawItsOwnHeartbeatIsStaleToo() throws Exception {
        ownBeat = OwnHeartbeat.Seen.never();
        localReads.add(LocalRead.found(null, true, 0L));

        Reply reply = reader.get("k", null, WAIT, Hop.ORIGIN);

        assertThat(reply.status()).isEqualTo(404);
        JsonNode body = json(reply);
        assertThat(body.get("stale").asBoolean()).isTrue();
        assertThat(body.has("sinceOwnBeatMs")).isTrue();
        assertThat(body.get("sinceOwnBeatMs").isNull()).isTrue();
    }

    @Test
    void aFreshPrimaryDoesNotMentionItsOwnHeartbeat() throws Exception {
        localReads.add(LocalRead.found(value("v1", 4), true, 0L));
        assertThat(json(reader.get("k", null, WAIT, Hop.ORIGIN)).has("sinceOwnBeatMs")).isFalse();
    }

    @Test
    void aCutOffPrimaryDoesNotServeReadYourWritesAndTheReplicasAreTriedInstead() throws Exception {
        ownBeat = new OwnHeartbeat.Seen(false, 1_500L);
        statuses.put(B, MemberStatus.ALIVE);

        Reply reply = reader.get("k", new ReadPosition(3, 17), WAIT, Hop.ORIGIN);

        assertThat(localCalls).as("no wait on a store it cannot vouch for").isEmpty();
        assertThat(forwards).containsExactly("b:1 replica 3:17");
        assertThat(reply.status()).isEqualTo(503);
        JsonNode body = json(reply);
        assertThat(body.get("status").asInt()).isEqualTo(503);
        assertThat(body.get("error").asText()).contains("local_primary")
                .contains("own heartbeat come back 1500 ms ago");
    }

    @Test
    void aForwardedReadYourWritesToACutOffPrimaryIs503SoTheForwarderMovesOn() throws Exception {
        ownBeat = new OwnHeartbeat.Seen(false, 2_000L);
        Reply reply = reader.get("k", new ReadPosition(3, 17), WAIT, Hop.FOR_PRIMARY);
        assertThat(reply.status()).isEqualTo(503);
        assertThat(Forwarder.Answer.of(reply.status(), reply.body()).served()).isFalse();
    }

    @Test
    void aLocalReplicaThatTurnsOutActiveOnACutOffInstanceDoesNotServeReadYourWrites() throws Exception {
        ownBeat = new OwnHeartbeat.Seen(false, 2_000L);
        location = KeyLocation.of(3, B, Set.of(SELF));
        statuses.put(B, MemberStatus.DEAD);
        localReads.add(LocalRead.found(value("v", 1), true, 0L));

        Reply reply = reader.get("k", new ReadPosition(3, 17), WAIT, Hop.ORIGIN);

        assertThat(localCalls).containsExactly("any p3 3:17");
        assertThat(reply.status()).isEqualTo(503);
    }
}
