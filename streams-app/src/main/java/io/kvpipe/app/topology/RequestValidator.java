package io.kvpipe.app.topology;

import io.kvpipe.avro.Add;
import io.kvpipe.avro.Check;
import io.kvpipe.avro.CompareAndSet;
import io.kvpipe.avro.DeadLetterReason;
import io.kvpipe.avro.Delete;
import io.kvpipe.avro.Operation;
import io.kvpipe.avro.Put;
import io.kvpipe.avro.Request;
import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import io.kvpipe.schemas.Limits;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks a decoded request before anything reads or writes state.
 *
 * <p>In order: a non-empty request id; 1 to {@link Limits#MAX_OPS} operations; for each operation,
 * a key of 1 to {@link Limits#MAX_KEY_BYTES} UTF-8 bytes ({@code INVALID_KEY}), a recognised action,
 * a new value of at most {@link Limits#MAX_VALUE_BYTES} UTF-8 bytes ({@code OVERSIZED_VALUE}), and a
 * key that no earlier operation named; a timeout, where set, of 1 ms to the longest transaction
 * timeout; then the routing: the request must arrive on the partition of its first key (the whole
 * request for keys of one partition; the coordinator for a cross-partition transaction), or, for a
 * transaction the client sent to every partition it involves ({@code sentToParticipants}), on the
 * partition of any of its keys (a participant's copy).
 * Everything else is {@code MALFORMED_REQUEST}. A request that arrived elsewhere was routed with
 * the wrong partitioner: it is malformed, so that a misconfigured client can never make two tasks
 * own one key.
 */
final class RequestValidator {

    /** Why a request is refused before it is applied. */
    record Invalid(DeadLetterReason deadLetterReason, String detail, Integer failedOp, boolean answerable) {

        /** Bad input: dead-lettered with {@code reason}, and rejected. */
        static Invalid badInput(DeadLetterReason reason, String detail, Integer failedOp) {
            return new Invalid(reason, detail, failedOp, true);
        }

        /** Bad input that cannot even be answered (its id could not key an outcome): dead-lettered only. */
        static Invalid unanswerable(DeadLetterReason reason, String detail) {
            return new Invalid(reason, detail, null, false);
        }

        boolean deadLettered() {
            return deadLetterReason != null;
        }
    }

    private final int partitionCount;
    private final long maxTimeoutMs;

    RequestValidator(int partitionCount, Duration maxTransactionTimeout) {
        this.partitionCount = partitionCount;
        this.maxTimeoutMs = maxTransactionTimeout.toMillis();
    }

    /** Whether the validated {@code request} names keys of several partitions (a two-phase commit). */
    boolean crossesPartitions(Request request) {
        List<Operation> ops = request.getOps();
        int first = ConsistentHashPartitioner.partitionFor(ops.get(0).getKey(), partitionCount);
        for (int i = 1; i < ops.size(); i++) {
            if (ConsistentHashPartitioner.partitionFor(ops.get(i).getKey(), partitionCount) != first) {
                return true;
            }
        }
        return false;
    }

    /** Empty when {@code request}, arrived on {@code partition}, may be applied here. */
    Optional<Invalid> validate(Request request, int partition) {
        if (request.getRequestId() == null || request.getRequestId().isEmpty()) {
            return malformed("the request id is empty", null);
        }
        int idBytes = request.getRequestId().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (idBytes > Limits.MAX_REQUEST_ID_BYTES) {
            // Its outcome and dedup entry are keyed by the id: writing them could exceed the record
            // size limit and fail the transaction on every retry, so it gets a dead letter only.
            return Optional.of(Invalid.unanswerable(DeadLetterReason.MALFORMED_REQUEST, "the request id is " + idBytes
                    + " bytes of UTF-8, more than the limit of " + Limits.MAX_REQUEST_ID_BYTES
                    + "; no outcome can be addressed with it"));
        }
        List<Operation> ops = request.getOps();
        if (ops == null || ops.isEmpty()) {
            return malformed("the request has no operations", null);
        }
        if (ops.size() > Limits.MAX_OPS) {
            return malformed("the request has " + ops.size() + " operations, more than the limit of "
                    + Limits.MAX_OPS, null);
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < ops.size(); i++) {
            Optional<Invalid> invalid = validateOp(i, ops.get(i), seen);
            if (invalid.isPresent()) {
                return invalid;
            }
        }
        Integer timeoutMs = request.getTimeoutMs();
        if (timeoutMs != null && (timeoutMs < 1 || timeoutMs > maxTimeoutMs)) {
            return malformed("the timeout is " + timeoutMs + " ms; it must be 1 to " + maxTimeoutMs + " ms", null);
        }
        return validateRouting(request, partition);
    }

    private Optional<Invalid> validateOp(int i, Operation op, Map<String, Integer> seen) {
        if (op == null) {
            return malformed("op " + i + " is null", i);
        }
        String key = op.getKey();
        if (key == null || key.isEmpty()) {
            return Optional.of(Invalid.badInput(DeadLetterReason.INVALID_KEY, "op " + i + ": the key is empty", i));
        }
        long keyBytes = Text.utf8Length(key);
        if (keyBytes > Limits.MAX_KEY_BYTES) {
            return Optional.of(Invalid.badInput(DeadLetterReason.INVALID_KEY, "op " + i + ": the key "
                    + Text.quote(key) + " is " + keyBytes + " bytes of UTF-8, more than the limit of "
                    + Limits.MAX_KEY_BYTES, i));
        }
        Object action = op.getAction();
        String newValue;
        if (action instanceof Put put) {
            if (put.getValue() == null) {
                return malformed("op " + i + ": a put without a value", i);
            }
            newValue = put.getValue();
        } else if (action instanceof CompareAndSet cas) {
            newValue = cas.getValue();
        } else if (action instanceof Delete || action instanceof Add || action instanceof Check) {
            newValue = null;
        } else {
            return malformed("op " + i + ": unrecognised action "
                    + (action == null ? "null" : action.getClass().getName()), i);
        }
        if (newValue != null) {
            long valueBytes = Text.utf8Length(newValue);
            if (valueBytes > Limits.MAX_VALUE_BYTES) {
                return Optional.of(Invalid.badInput(DeadLetterReason.OVERSIZED_VALUE, "op " + i + ": the value for "
                        + Text.quote(key) + " is " + valueBytes + " bytes of UTF-8, more than the limit of "
                        + Limits.MAX_VALUE_BYTES, i));
            }
        }
        Integer earlier = seen.putIfAbsent(key, i);
        if (earlier != null) {
            return malformed("op " + i + ": the key " + Text.quote(key) + " is already named by op " + earlier
                    + "; a request names each key once", i);
        }
        return Optional.empty();
    }

    private Optional<Invalid> validateRouting(Request request, int partition) {
        List<Operation> ops = request.getOps();
        int first = TransactionShares.coordinator(ops, partitionCount);
        if (first == partition) {
            return Optional.empty();
        }
        if (request.getSentToParticipants()) {
            if (!TransactionShares.indexesOn(ops, partition, partitionCount).isEmpty()) {
                return Optional.empty(); // a participant's copy
            }
            return malformed("the transaction names no key of partition " + partition + " of " + partitionCount
                    + ", where it arrived: send it to the partitions of its keys with ConsistentHashPartitioner",
                    null);
        }
        return malformed("the key " + Text.quote(ops.get(0).getKey()) + " belongs to partition " + first + " of "
                + partitionCount + ", but the request arrived on partition " + partition
                + ": route requests by their first key with ConsistentHashPartitioner", null);
    }

    private static Optional<Invalid> malformed(String detail, Integer failedOp) {
        return Optional.of(Invalid.badInput(DeadLetterReason.MALFORMED_REQUEST, detail, failedOp));
    }
}
