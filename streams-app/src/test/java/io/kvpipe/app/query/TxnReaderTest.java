package io.kvpipe.app.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvpipe.app.membership.MemberStatus;
import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.OutcomeStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

class TxnReaderTest {

    private static final HostInfo SELF = new HostInfo("a", 1);
    private static final HostInfo B = new HostInfo("b", 1);
    private static final HostInfo C = new HostInfo("c", 1);

    private LocalTxns.Search here = new LocalTxns.Search(Optional.empty(), Set.of(0, 1), List.of());
    private final Map<HostInfo, MemberStatus> statuses = new HashMap<>();
    private final Map<HostInfo, Forwarder.Answer> answers = new HashMap<>();
    private final List<String> asked = new ArrayList<>();

    private final TxnReader reader = new TxnReader("me", SELF, id -> here, () -> List.of(C, SELF, B),
            h -> statuses.getOrDefault(h, MemberStatus.ALIVE),
            (target, id) -> {
                asked.add(Endpoints.of(target) + " " + id);
                return answers.getOrDefault(target, Forwarder.Answer.none(Endpoints.of(target) + " unreachable"));
            });

    private static Outcome committed() {
        return Outcome.newBuilder().setRequestId("t1").setStatus(OutcomeStatus.COMMITTED).setTimestampMs(1).build();
    }

    /** What another instance's {@link TxnReader} answers for a lookup only its own stores could search. */
    private static Forwarder.Answer notThere(String instance, int... partitions) {
        TxnReader peer = new TxnReader(instance, new HostInfo(instance, 1),
                id -> new LocalTxns.Search(Optional.empty(),
                        java.util.Arrays.stream(partitions).boxed().collect(java.util.stream.Collectors.toSet()),
                        List.of()),
                List::of, h -> MemberStatus.ALIVE, (t, id) -> Forwarder.Answer.none("never"));
        Reply reply = peer.get("t1", true);
        return Forwarder.Answer.of(reply.status(), reply.body());
    }

    private static JsonNode json(Reply reply) throws Exception {
        return Reply.JSON.readTree(reply.body());
    }

    @Test
    void aTransactionThisInstanceCoordinatesIsAnsweredHereWithoutAskingOthers() throws Exception {
        here = new LocalTxns.Search(Optional.of(new TxnFinding.Decided(1, committed())), Set.of(0, 1), List.of());

        Reply reply = reader.get("t1", false);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(json(reply).get("status").asText()).isEqualTo("committed");
        assertThat(json(reply).get("servedBy").asText()).isEqualTo("me");
        assertThat(asked).isEmpty();
    }

    @Test
    void otherwiseTheOtherInstancesAreAskedInTurnAndTheFirstThatKnowsItAnswers() {
        answers.put(B, notThere("b", 2, 3));
        answers.put(C, Forwarder.Answer.of(200, "{\"status\":\"prepared\",\"servedBy\":\"c\"}"));

        Reply reply = reader.get("t1", false);

        assertThat(asked).containsExactly("b:1 t1", "c:1 t1");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo("{\"status\":\"prepared\",\"servedBy\":\"c\"}");
    }

    @Test
    void whenNoPartitionKnowsItThe404SaysWhichWereSearched() throws Exception {
        answers.put(B, notThere("b", 2, 3));
        answers.put(C, notThere("c", 4));

        Reply reply = reader.get("t1", false);

        assertThat(reply.status()).isEqualTo(404);
        JsonNode body = json(reply);
        assertThat(body.get("error").asText()).contains("'t1' is not known to any partition");
        assertThat(body.get("status").asInt()).isEqualTo(404);
        assertThat(body.get("transactionId").asText()).isEqualTo("t1");
        assertThat(body.get("searchedPartitions").toString()).isEqualTo("[0,1,2,3,4]");
        assertThat(body.get("complete").asBoolean()).isTrue();
    }

    @Test
    void anInstanceThatCannotBeAskedMakesItA503NotA404() throws Exception {
        answers.put(B, notThere("b", 2, 3)); // c is not answering

        Reply reply = reader.get("t1", false);

        assertThat(reply.status()).isEqualTo(503);
        JsonNode body = json(reply);
        assertThat(body.get("complete").asBoolean()).isFalse();
        assertThat(body.get("notSearched").toString()).contains("c:1 unreachable");
        assertThat(body.get("searchedPartitions").toString()).isEqualTo("[0,1,2,3]");
    }

    @Test
    void aDeadInstanceIsNotAskedButItsPartitionsCountAsNotSearched() throws Exception {
        statuses.put(C, MemberStatus.DEAD);
        answers.put(B, notThere("b", 2, 3));

        Reply reply = reader.get("t1", false);

        assertThat(asked).containsExactly("b:1 t1");
        assertThat(reply.status()).isEqualTo(503);
        assertThat(json(reply).get("notSearched").toString()).contains("c:1 is DEAD");
    }

    @Test
    void aStoreThatCouldNotBeSearchedHereIsReportedByTheAskedInstance() throws Exception {
        here = new LocalTxns.Search(Optional.empty(), Set.of(0), List.of("partition 1: rebalancing"));

        Reply forwarded = reader.get("t1", true);
        assertThat(forwarded.status()).as("a forwarded lookup answers 404, the asker judges").isEqualTo(404);
        assertThat(json(forwarded).get("complete").asBoolean()).isFalse();

        // The asker takes the reason over.
        TxnReader asker = new TxnReader("x", new HostInfo("x", 1),
                id -> new LocalTxns.Search(Optional.empty(), Set.of(), List.of()), () -> List.of(SELF),
                h -> MemberStatus.ALIVE, (t, id) -> Forwarder.Answer.of(forwarded.status(), forwarded.body()));
        Reply reply = asker.get("t1", false);
        assertThat(reply.status()).isEqualTo(503);
        assertThat(json(reply).get("notSearched").toString()).contains("me: partition 1: rebalancing");
    }

    @Test
    void aForwardedLookupNeverFansOutAgain() {
        Reply reply = reader.get("t1", true);
        assertThat(asked).isEmpty();
        assertThat(reply.status()).isEqualTo(404);
    }

    @Test
    void withoutMetadataTheOtherInstancesCountAsNotSearched() throws Exception {
        TxnReader alone = new TxnReader("me", SELF, id -> here, () -> {
            throw new IllegalStateException("KafkaStreams is not running");
        }, h -> MemberStatus.ALIVE, (t, id) -> Forwarder.Answer.none("never"));
        Reply reply = alone.get("t1", false);
        assertThat(reply.status()).isEqualTo(503);
        assertThat(json(reply).get("notSearched").toString()).contains("KafkaStreams is not running");
    }
}
