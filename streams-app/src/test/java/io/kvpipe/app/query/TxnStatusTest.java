package io.kvpipe.app.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvpipe.avro.KeyVersion;
import io.kvpipe.avro.Operation;
import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.OutcomeStatus;
import io.kvpipe.avro.Put;
import io.kvpipe.avro.RejectReason;
import io.kvpipe.avro.ReplyTo;
import io.kvpipe.avro.Request;
import io.kvpipe.avro.TransactionPhase;
import io.kvpipe.avro.TransactionState;
import io.kvpipe.avro.Vote;
import java.util.List;
import org.junit.jupiter.api.Test;

class TxnStatusTest {

    private static TransactionState state(TransactionPhase phase, List<Integer> participants, List<Vote> votes) {
        Request request = Request.newBuilder().setRequestId("t1")
                .setReplyTo(ReplyTo.newBuilder().setClientId("c").setPartition(0).build())
                .setOps(List.of(Operation.newBuilder().setKey("a").setAction(new Put("1")).build()))
                .setTimestampMs(1).build();
        return TransactionState.newBuilder().setTransactionId("t1").setRequest(request).setPhase(phase)
                .setParticipants(participants).setVotes(votes).setDeadlineMs(5_000).setStartedAtMs(1).build();
    }

    private static Vote yes(int partition) {
        return Vote.newBuilder().setParticipantPartition(partition).setYes(true).build();
    }

    private static JsonNode json(TxnFinding finding) throws Exception {
        return Reply.JSON.readTree(Reply.JSON.writeValueAsString(TxnStatus.of("t1", finding, "me")));
    }

    @Test
    void aTransactionWithNoVoteYetIsPendingAndWaitsForEveryParticipant() throws Exception {
        JsonNode body = json(new TxnFinding.Undecided(2, state(TransactionPhase.PREPARING, List.of(2, 5, 7), List.of())));

        assertThat(body.get("transactionId").asText()).isEqualTo("t1");
        assertThat(body.get("status").asText()).isEqualTo("pending");
        assertThat(body.get("coordinator").asInt()).isEqualTo(2);
        assertThat(body.get("votes")).isEmpty();
        assertThat(body.get("waitingFor").toString()).isEqualTo("[2,5,7]");
        assertThat(body.get("deadlineMs").asLong()).isEqualTo(5_000);
        assertThat(body.get("reason").isNull()).isTrue();
        assertThat(body.get("versions")).isEmpty();
        assertThat(body.get("servedBy").asText()).isEqualTo("me");
    }

    @Test
    void aTransactionWithSomeVotesIsPreparedAndWaitsForTheRest() throws Exception {
        JsonNode body = json(new TxnFinding.Undecided(2,
                state(TransactionPhase.PREPARING, List.of(2, 5, 7), List.of(yes(2), yes(7)))));

        assertThat(body.get("status").asText()).isEqualTo("prepared");
        assertThat(body.get("votes")).hasSize(2);
        assertThat(body.get("votes").get(1).get("partition").asInt()).isEqualTo(7);
        assertThat(body.get("votes").get(1).get("yes").asBoolean()).isTrue();
        assertThat(body.get("waitingFor").toString()).isEqualTo("[5]");
    }

    @Test
    void votesThatCameBeforeTheRequestWaitForTheCoordinator() throws Exception {
        TransactionState early = state(TransactionPhase.PREPARING, List.of(), List.of(yes(5)));
        early.setRequest(null);

        JsonNode body = json(new TxnFinding.Undecided(2, early));

        assertThat(body.get("status").asText()).isEqualTo("prepared");
        assertThat(body.get("votes")).hasSize(1);
        assertThat(body.get("waitingFor").toString()).isEqualTo("[2]");
    }

    @Test
    void aNoVoteGivesTheReasonOfAnAbortDecidedInTheState() throws Exception {
        Vote no = Vote.newBuilder().setParticipantPartition(5).setYes(false).setReason(RejectReason.LOCK_CONFLICT)
                .setFailedOp(1).setDetail("b is locked by t0").build();
        JsonNode body = json(new TxnFinding.Undecided(2,
                state(TransactionPhase.ABORTED, List.of(2, 5), List.of(yes(2), no))));

        assertThat(body.get("status").asText()).isEqualTo("aborted");
        assertThat(body.get("waitingFor")).isEmpty();
        assertThat(body.get("reason").asText()).isEqualTo("LOCK_CONFLICT");
        assertThat(body.get("failedOp").asInt()).isEqualTo(1);
        assertThat(body.get("detail").asText()).isEqualTo("b is locked by t0");
        assertThat(body.get("votes").get(1).get("reason").asText()).isEqualTo("LOCK_CONFLICT");
    }

    @Test
    void aCommittedOutcomeListsTheVersionsWithTheirReadPositions() throws Exception {
        Outcome outcome = Outcome.newBuilder().setRequestId("t1").setStatus(OutcomeStatus.COMMITTED)
                .setTransactionId("t1").setTimestampMs(9_000)
                .setVersions(List.of(new KeyVersion("a", 3L, 2, 118L), new KeyVersion("b", 1L, 5, -1L)))
                .build();

        JsonNode body = json(new TxnFinding.Decided(2, outcome));

        assertThat(body.get("status").asText()).isEqualTo("committed");
        assertThat(body.get("votes")).isEmpty();
        assertThat(body.get("waitingFor")).isEmpty();
        assertThat(body.get("deadlineMs").isNull()).isTrue();
        assertThat(body.get("decidedAtMs").asLong()).isEqualTo(9_000);
        assertThat(body.get("versions").get(0).get("position").asText()).isEqualTo("2:118");
        assertThat(body.get("versions").get(1).get("position").asText())
                .as("a write applied at an offset the outcome could not know is read back by version")
                .isEqualTo("5:v1");
    }

    @Test
    void aRejectedOutcomeSaysWhy() throws Exception {
        Outcome outcome = Outcome.newBuilder().setRequestId("t1").setStatus(OutcomeStatus.REJECTED)
                .setReason(RejectReason.VERSION_MISMATCH).setFailedOp(0).setDetail("expected 2, found 3")
                .setTimestampMs(9_000).build();

        JsonNode body = json(new TxnFinding.Decided(4, outcome));

        assertThat(body.get("status").asText()).isEqualTo("rejected");
        assertThat(body.get("reason").asText()).isEqualTo("VERSION_MISMATCH");
        assertThat(body.get("failedOp").asInt()).isZero();
        assertThat(body.get("detail").asText()).isEqualTo("expected 2, found 3");
        assertThat(body.get("coordinator").asInt()).isEqualTo(4);
    }
}
