package io.kvpipe.app.topology;

import io.kvpipe.avro.KeyVersion;
import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.OutcomeStatus;
import io.kvpipe.avro.RejectReason;
import io.kvpipe.avro.Request;
import java.util.List;

/**
 * The outcomes of requests, built the same way wherever they are decided; with the Avro record's
 * constructor, not its builder, which validates and copies every field (built once per request).
 */
final class Outcomes {

    private Outcomes() {}

    /**
     * {@code COMMITTED}, naming each op's key with its new version (in op order).
     *
     * @param transactionId the transaction id of a request of several ops (its request id); null for one op
     */
    static Outcome committed(String requestId, String transactionId, List<KeyVersion> versions, long nowMs) {
        return new Outcome(requestId, OutcomeStatus.COMMITTED, null, null, null, transactionId, versions, nowMs);
    }

    /** {@code REJECTED}: an invalid request, or one decided in one step whose condition failed. */
    static Outcome rejected(Request request, RejectReason reason, Integer failedOp, String detail, long nowMs) {
        return notCommitted(request, OutcomeStatus.REJECTED, reason, failedOp, detail, null, nowMs);
    }

    /** {@code ABORTED}: a cross-partition transaction (its id is the request id) that did not commit. */
    static Outcome aborted(Request request, RejectReason reason, Integer failedOp, String detail, long nowMs) {
        return notCommitted(request, OutcomeStatus.ABORTED, reason, failedOp, detail, request.getRequestId(), nowMs);
    }

    /** {@code ABORTED}, for a transaction known only by its id (its request never reached the coordinator). */
    static Outcome aborted(String transactionId, RejectReason reason, String detail, long nowMs) {
        return notCommitted(transactionId, OutcomeStatus.ABORTED, reason, null, detail, transactionId, nowMs);
    }

    private static Outcome notCommitted(Request request, OutcomeStatus status, RejectReason reason, Integer failedOp,
                                        String detail, String transactionId, long nowMs) {
        return notCommitted(request.getRequestId(), status, reason, failedOp, detail, transactionId, nowMs);
    }

    private static Outcome notCommitted(String requestId, OutcomeStatus status, RejectReason reason, Integer failedOp,
                                        String detail, String transactionId, long nowMs) {
        return new Outcome(requestId, status, reason, failedOp, detail, transactionId, List.of(), nowMs);
    }
}
