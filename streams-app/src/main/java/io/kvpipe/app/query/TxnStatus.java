package io.kvpipe.app.query;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvpipe.avro.KeyVersion;
import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.TransactionState;
import io.kvpipe.avro.Vote;
import io.kvpipe.schemas.ReadPosition;
import java.util.Set;
import java.util.TreeSet;

/**
 * The body of {@code GET /txn/{id}} for a transaction some partition knows:
 * <pre>
 * {"transactionId", "status", "coordinator", "votes": [{"partition","yes","reason","failedOp","detail"}],
 *  "waitingFor": [partitions], "deadlineMs", "reason", "failedOp", "detail",
 *  "versions": [{"key","version","partition","offset","position"}], "decidedAtMs", "servedBy"}
 * </pre>
 * {@code status}: {@code pending} (held by its coordinator, no vote yet), {@code prepared} (at least
 * one vote, not decided; while only participants have voted on their copies of a request the
 * coordinator has not read yet, {@code waitingFor} names the coordinator itself), or the decision:
 * {@code committed}, {@code aborted} (the votes did not all say yes, or the deadline passed),
 * {@code rejected} (a request refused before any prepare). Fields that do not apply are null or
 * empty. {@code position} is the read-your-writes token of a committed key (its version form when
 * the outcome gives no offset).
 */
final class TxnStatus {

    private TxnStatus() {}

    static ObjectNode of(String transactionId, TxnFinding finding, String servedBy) {
        if (finding instanceof TxnFinding.Undecided undecided) {
            return undecided(transactionId, undecided, servedBy);
        }
        return decided(transactionId, (TxnFinding.Decided) finding, servedBy);
    }

    private static ObjectNode undecided(String transactionId, TxnFinding.Undecided finding, String servedBy) {
        TransactionState state = finding.state();
        // The contract keeps only undecided transactions here, but a decision written to the state
        // before the entry goes is a decision all the same.
        String status = switch (state.getPhase()) {
            case COMMITTED -> "committed";
            case ABORTED -> "aborted";
            case PREPARING -> state.getVotes().isEmpty() ? "pending" : "prepared";
        };
        ObjectNode body = head(transactionId, status, finding.partition());
        ArrayNode votes = body.putArray("votes");
        Set<Integer> waitingFor = new TreeSet<>(state.getParticipants());
        if (state.getRequest() == null) {
            // Votes that came before the request: the coordinator has not read it (nor voted) yet.
            waitingFor.add(finding.partition());
        }
        Vote firstNo = null;
        for (Vote vote : state.getVotes()) {
            waitingFor.remove(vote.getParticipantPartition());
            ObjectNode node = votes.addObject()
                    .put("partition", vote.getParticipantPartition())
                    .put("yes", vote.getYes());
            text(node, "reason", vote.getReason() == null ? null : vote.getReason().name());
            number(node, "failedOp", vote.getFailedOp());
            text(node, "detail", vote.getDetail());
            if (!vote.getYes() && firstNo == null) {
                firstNo = vote;
            }
        }
        ArrayNode waiting = body.putArray("waitingFor");
        if ("pending".equals(status) || "prepared".equals(status)) {
            waitingFor.forEach(waiting::add);
        }
        body.put("deadlineMs", state.getDeadlineMs());
        String reason = state.getAbortReason() != null ? state.getAbortReason().name()
                : firstNo != null && firstNo.getReason() != null ? firstNo.getReason().name() : null;
        text(body, "reason", reason);
        number(body, "failedOp", firstNo == null ? null : firstNo.getFailedOp());
        text(body, "detail", state.getDetail() != null ? state.getDetail() : firstNo == null ? null : firstNo.getDetail());
        body.putArray("versions");
        number(body, "decidedAtMs", state.getDecidedAtMs());
        return body.put("servedBy", servedBy);
    }

    private static ObjectNode decided(String transactionId, TxnFinding.Decided finding, String servedBy) {
        Outcome outcome = finding.outcome();
        String status = switch (outcome.getStatus()) {
            case COMMITTED -> "committed";
            case ABORTED -> "aborted";
            case REJECTED -> "rejected";
        };
        ObjectNode body = head(transactionId, status, finding.partition());
        body.putArray("votes");
        body.putArray("waitingFor");
        body.putNull("deadlineMs");
        text(body, "reason", outcome.getReason() == null ? null : outcome.getReason().name());
        number(body, "failedOp", outcome.getFailedOp());
        text(body, "detail", outcome.getDetail());
        ArrayNode versions = body.putArray("versions");
        for (KeyVersion v : outcome.getVersions()) {
            ReadPosition position = v.getOffset() >= 0 ? new ReadPosition(v.getPartition(), v.getOffset())
                    : ReadPosition.atVersion(v.getPartition(), v.getVersion());
            versions.addObject()
                    .put("key", v.getKey())
                    .put("version", v.getVersion())
                    .put("partition", v.getPartition())
                    .put("offset", v.getOffset())
                    .put("position", position.token());
        }
        body.put("decidedAtMs", outcome.getTimestampMs());
        return body.put("servedBy", servedBy);
    }

    private static ObjectNode head(String transactionId, String status, int coordinator) {
        return Reply.JSON.createObjectNode()
                .put("transactionId", transactionId)
                .put("status", status)
                .put("coordinator", coordinator);
    }

    private static void text(ObjectNode node, String field, String value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }

    private static void number(ObjectNode node, String field, Number value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value.longValue());
        }
    }
}
