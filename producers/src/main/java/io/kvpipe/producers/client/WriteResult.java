package io.kvpipe.producers.client;

import io.kvpipe.avro.KeyVersion;
import io.kvpipe.avro.Outcome;
import io.kvpipe.producers.client.internals.FailureDetail;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The outcome of one request. A rejection is a normal result, not an error: check
 * {@link #isCommitted()}, or {@link #reason()} for why not.
 *
 * <ul>
 *   <li>{@link Status#COMMITTED}: every op applied; {@link #writes()} holds each key's version
 *       after it and its read position (a key the request did not write, such as a
 *       {@code check}'s, is either absent or listed with its unchanged version and offset -1).
 *   <li>{@link Status#REJECTED}: nothing applied; {@link #reason()}, {@link #failedOp()} (the index
 *       of the op that failed) and {@link #detail()} say why.
 *   <li>{@link Status#ABORTED}: a transaction across partitions that did not commit; nothing
 *       applied. {@link #reason()} says why: an op's condition failed ({@code VERSION_MISMATCH},
 *       {@code BELOW_FLOOR}, {@code NOT_A_NUMBER}), another transaction held a key
 *       ({@code LOCK_CONFLICT}), it ran out of time ({@code TIMEOUT}), or it was invalid
 *       ({@code INVALID_REQUEST}); {@link #failedOp()} names the op, {@link #detail()} explains.
 * </ul>
 *
 * <p>A committed transaction over several keys carries its {@link #transactionId()}, which the
 * change events of its writes carry too.
 */
public final class WriteResult {

    /** Whether the request was applied. */
    public enum Status {
        COMMITTED, REJECTED, ABORTED
    }

    private final String requestId;
    private final Status status;
    private final List<WrittenKey> writes;
    private final RejectReason reason;
    private final Integer failedOp;
    private final String detail;
    private final String transactionId;
    private final long timestampMs;

    private WriteResult(String requestId, Status status, List<WrittenKey> writes, RejectReason reason,
            Integer failedOp, String detail, String transactionId, long timestampMs) {
        this.requestId = Objects.requireNonNull(requestId, "requestId");
        this.status = Objects.requireNonNull(status, "status");
        this.writes = Collections.unmodifiableList(new ArrayList<>(writes));
        this.reason = reason;
        this.failedOp = failedOp;
        this.detail = detail;
        this.transactionId = transactionId;
        this.timestampMs = timestampMs;
    }

    /** The result an {@link Outcome} from the results topic stands for. */
    public static WriteResult of(Outcome outcome) {
        Status status = switch (outcome.getStatus()) {
            case COMMITTED -> Status.COMMITTED;
            case REJECTED -> Status.REJECTED;
            case ABORTED -> Status.ABORTED;
        };
        List<WrittenKey> writes = new ArrayList<>();
        if (outcome.getVersions() != null) {
            for (KeyVersion v : outcome.getVersions()) {
                writes.add(new WrittenKey(v.getKey(), v.getVersion(), v.getPartition(), v.getOffset()));
            }
        }
        RejectReason reason = status == Status.COMMITTED && outcome.getReason() == null
                ? null
                : RejectReason.of(outcome.getReason());
        return new WriteResult(outcome.getRequestId(), status, writes, reason, outcome.getFailedOp(),
                outcome.getDetail(), outcome.getTransactionId(), outcome.getTimestampMs());
    }

    /** The id of the request this is the outcome of. */
    public String requestId() {
        return requestId;
    }

    public Status status() {
        return status;
    }

    /** True when every op of the request was applied. */
    public boolean isCommitted() {
        return status == Status.COMMITTED;
    }

    /**
     * The keys of a committed request with their version after it and their position; empty
     * unless committed. The pipeline may list keys it did not write (a check, a delete of an
     * absent key) with their unchanged version and offset -1.
     */
    public List<WrittenKey> writes() {
        return writes;
    }

    /** What the request wrote to {@code key}, if it wrote it. */
    public Optional<WrittenKey> written(String key) {
        for (WrittenKey w : writes) {
            if (w.key().equals(key)) {
                return Optional.of(w);
            }
        }
        return Optional.empty();
    }

    /** True when a transaction across partitions did not commit. */
    public boolean isAborted() {
        return status == Status.ABORTED;
    }

    /** The version of {@code key} after the request, if the outcome lists the key. */
    public OptionalLong version(String key) {
        Optional<WrittenKey> w = written(key);
        return w.isPresent() ? OptionalLong.of(w.get().version()) : OptionalLong.empty();
    }

    /** Why the request did not commit; empty when committed. */
    public Optional<RejectReason> reason() {
        return Optional.ofNullable(reason);
    }

    /** The index (in the request's ops) of the op that failed, when the pipeline names one. */
    public OptionalInt failedOp() {
        return failedOp == null ? OptionalInt.empty() : OptionalInt.of(failedOp);
    }

    /** A human-readable explanation, when the pipeline gives one (e.g. "expected 2, found 3"). */
    public Optional<String> detail() {
        return Optional.ofNullable(detail);
    }

    /**
     * The id of the transaction, when the pipeline gives one: for a request of several keys, its
     * request id; change events of its writes carry it too.
     */
    public Optional<String> transactionId() {
        return Optional.ofNullable(transactionId);
    }

    /** When the pipeline decided the outcome (epoch ms). */
    public long timestampMs() {
        return timestampMs;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(status.name().toLowerCase(java.util.Locale.ROOT))
                .append(' ').append(requestId);
        if (transactionId != null && !transactionId.equals(requestId)) {
            s.append(" transaction=").append(transactionId);
        }
        if (isCommitted()) {
            for (WrittenKey w : writes) {
                s.append(' ').append(w.key()).append(" version=").append(w.version())
                        .append(" position=").append(w.positionToken());
            }
        } else {
            s.append(' ').append(reason);
            if (failedOp != null) {
                s.append(" op=").append(failedOp);
            }
            if (detail != null) {
                s.append(": ").append(FailureDetail.afterOp(detail, failedOp));
            }
        }
        return s.toString();
    }
}
