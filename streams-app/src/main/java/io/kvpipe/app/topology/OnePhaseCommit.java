package io.kvpipe.app.topology;

import io.kvpipe.avro.Add;
import io.kvpipe.avro.Check;
import io.kvpipe.avro.CompareAndSet;
import io.kvpipe.avro.Delete;
import io.kvpipe.avro.KeyVersion;
import io.kvpipe.avro.Operation;
import io.kvpipe.avro.Put;
import io.kvpipe.avro.RejectReason;
import io.kvpipe.avro.VersionedValue;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Decides a validated request whose keys all live in this partition, all or nothing: every
 * operation is evaluated against the committed state first; if one fails nothing is written,
 * otherwise every write is applied in the same processing step.
 *
 * <h2>State and versions</h2>
 * A key's state is a {@link VersionedValue}. A key never written has no state and version 0. The
 * first write gives version 1, and every write (put, compare-and-set, add, delete of a present key)
 * sets the version to the old version + 1. A delete keeps the key as {@code VersionedValue(value =
 * null, version kept)}, so versions never go backwards. <em>Absent</em> means no state or a null value.
 *
 * <h2>Operations</h2>
 * <ul>
 *   <li><b>put(value)</b> always succeeds and writes.</li>
 *   <li><b>delete</b>: a present key is written as a tombstone (value null, version + 1) with a change
 *       event whose value is null; an absent key commits with no write and no change event, and its
 *       reported version is the current one (0 if never written).</li>
 *   <li><b>compareAndSet(expectedVersion, value)</b>: {@code expectedVersion} null means the key must
 *       be absent; otherwise the current version must equal it (a never-written key has version 0, a
 *       deleted key keeps its last version). Otherwise {@code VERSION_MISMATCH}. A null value deletes
 *       on match, with delete's rules (an absent key is not written).</li>
 *   <li><b>add(delta, floor)</b>: the current value read as a signed 64-bit decimal integer
 *       ({@code [+-]?[0-9]+}, ASCII digits only; an absent key counts as 0). A value that is not
 *       one is {@code NOT_A_NUMBER}; a sum beyond 64 bits is {@code INVALID_REQUEST}; a sum below a
 *       set floor is {@code BELOW_FLOOR}. Writes the sum in decimal (even when delta is 0).</li>
 *   <li><b>check(expectedVersion)</b>: the compare-and-set condition alone; never writes.</li>
 * </ul>
 *
 * <h2>Result</h2>
 * Committed: one {@link KeyVersion} per operation, in operation order, with the key's resulting
 * version (unchanged for a check or a delete of an absent key) and the request's log position
 * (requests-topic partition and offset; -1 for a key the request does not write, whose read
 * position is its version), plus the writes to apply. A request of several ops is a transaction:
 * its new states carry its request id as transaction id. Rejected: the reason, the index
 * of the first failing operation and a human detail.
 */
final class OnePhaseCommit {

    private static final Pattern DECIMAL = Pattern.compile("[+-]?[0-9]+");

    sealed interface Decision permits Commit, Reject {}

    /** Apply {@code writes} (state with a null value is a tombstone); report {@code versions}. */
    record Commit(List<Write> writes, List<KeyVersion> versions) implements Decision {}

    /** Nothing is written. */
    record Reject(RejectReason reason, int failedOp, String detail) implements Decision {}

    /** A key's new state. */
    record Write(String key, VersionedValue state) {}

    private OnePhaseCommit() {}

    /**
     * @param ops       the validated operations (distinct keys, all owned by this partition)
     * @param committed the committed state of a key, or null if it was never written
     * @param requestId written into each new state
     * @param partition the requests-topic partition of the request
     * @param offset    the requests-topic offset of the request
     * @param nowMs     the time written into each new state
     */
    static Decision decide(List<Operation> ops, Function<String, VersionedValue> committed, String requestId,
                           int partition, long offset, long nowMs) {
        String transactionId = ops.size() > 1 ? requestId : null;
        return decide(ops, null, committed, requestId, transactionId, partition, offset, nowMs);
    }

    /**
     * The same for part of a transaction (a participant's share of a cross-partition one).
     *
     * @param opIndexes     each op's index in the whole request, used in rejections; null when
     *                      {@code ops} is the whole request
     * @param transactionId written into each new state; null for a single-key request
     * @param offset        the log offset whose processing applies the writes, or -1 when it is not
     *                      known yet (a cross-partition transaction applies them on its decision)
     */
    static Decision decide(List<Operation> ops, List<Integer> opIndexes, Function<String, VersionedValue> committed,
                           String requestId, String transactionId, int partition, long offset, long nowMs) {
        List<Write> writes = new ArrayList<>(ops.size());
        List<KeyVersion> versions = new ArrayList<>(ops.size());
        for (int i = 0; i < ops.size(); i++) {
            Operation op = ops.get(i);
            int index = opIndexes == null ? i : opIndexes.get(i);
            String key = op.getKey();
            VersionedValue current = committed.apply(key);
            long version = current == null ? 0L : current.getVersion();
            String value = current == null ? null : current.getValue();
            Object action = op.getAction();

            boolean write;
            String newValue = null;
            if (action instanceof Put put) {
                write = true;
                newValue = put.getValue();
            } else if (action instanceof Delete) {
                write = value != null;
            } else if (action instanceof CompareAndSet cas) {
                if (!matches(cas.getExpectedVersion(), version, value)) {
                    return mismatch(index, key, cas.getExpectedVersion(), version, value);
                }
                newValue = cas.getValue();
                write = newValue != null || value != null;
            } else if (action instanceof Add add) {
                long base;
                if (value == null) {
                    base = 0L;
                } else {
                    Long parsed = parseDecimal(value);
                    if (parsed == null) {
                        return new Reject(RejectReason.NOT_A_NUMBER, index, "op " + index + ": the value of "
                                + Text.quote(key) + " is not a signed 64-bit decimal integer");
                    }
                    base = parsed;
                }
                long sum;
                try {
                    sum = Math.addExact(base, add.getDelta());
                } catch (ArithmeticException overflow) {
                    return new Reject(RejectReason.INVALID_REQUEST, index, "op " + index + ": " + base + " + "
                            + add.getDelta() + " overflows a signed 64-bit integer (key " + Text.quote(key) + ")");
                }
                if (add.getFloor() != null && sum < add.getFloor()) {
                    return new Reject(RejectReason.BELOW_FLOOR, index, "op " + index + ": " + base + " + " + add.getDelta()
                            + " = " + sum + " is below the floor " + add.getFloor() + " (key " + Text.quote(key) + ")");
                }
                write = true;
                newValue = Long.toString(sum);
            } else if (action instanceof Check check) {
                if (!matches(check.getExpectedVersion(), version, value)) {
                    return mismatch(index, key, check.getExpectedVersion(), version, value);
                }
                write = false;
            } else {
                // RequestValidator refuses these before anything is decided.
                throw new IllegalStateException("unvalidated action " + action);
            }

            long resulting = write ? version + 1 : version;
            if (write) {
                writes.add(new Write(key, new VersionedValue(newValue, resulting, requestId, transactionId, nowMs)));
            }
            // Only a write moves the store to the request's offset: a key left as it was has no
            // offset to wait for, so its read position is its version (offset -1).
            versions.add(new KeyVersion(key, resulting, partition, write ? offset : -1L));
        }
        return new Commit(writes, versions);
    }

    private static boolean matches(Long expectedVersion, long version, String value) {
        return expectedVersion == null ? value == null : expectedVersion == version;
    }

    private static Reject mismatch(int i, String key, Long expected, long version, String value) {
        String wanted = expected == null ? "the key to be absent" : "version " + expected;
        String found = "version " + version + (value == null ? " (absent)" : " (present)");
        return new Reject(RejectReason.VERSION_MISMATCH, i, "op " + i + ": expected " + wanted + " for "
                + Text.quote(key) + ", found " + found);
    }

    /** The value as a signed 64-bit integer, or null if it is not one. */
    static Long parseDecimal(String value) {
        if (!DECIMAL.matcher(value).matches()) {
            return null;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException tooBig) {
            return null;
        }
    }
}
