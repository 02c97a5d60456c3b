package io.kvpipe.app.topology;

import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.OutcomeStatus;
import io.kvpipe.avro.RejectReason;
import io.kvpipe.avro.Request;

/** The outcomes of requests that did not commit, built the same way wherever they are decided. */
final class Outcomes {

    private Outcomes() {}

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
        return Outcome.newBuilder()
                .setRequestId(requestId)
                .setStatus(status)
                .setReason(reason)
                .setFailedOp(failedOp)
                .setDetail(detail)
                .setTransactionId(transactionId)
                .setTimestampMs(nowMs)
                .build();
    }
}
