package io.kvpipe.producers.client;

import io.kvpipe.avro.KeyVersion;
import io.kvpipe.avro.Outcome;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The outcome of one request. A rejection is a normal result, not an error: check
 * {@link #isCommitted()}, or {@link #reason()} for why not.
 *
 * <ul>
 *   <li>{@link Status#COMMITTED}: every op applied; {@link #writes()} holds each written key's new
 *       version and read position (a {@code check} writes nothing; deleting an absent key may write
 *       nothing).
 *   <li>{@link Status#REJECTED}: nothing applied; {@link #reason()}, {@link #failedOp()} (the index
 *       of the op that failed) and {@link #detail()} say why.
 *   <li>{@link Status#ABORTED}: a transaction that did not commit (for example timed out while
 *       collecting votes); nothing applied; the reason says why.
 * </ul>
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

    /** Each key the request wrote, with its new version and position; empty unless committed. */
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

    /** The transaction id of a multi-partition request, when the pipeline gives one. */
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
                s.append(": ").append(detail);
            }
        }
        return s.toString();
    }
}
