package io.kvpipe.producers.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvpipe.producers.client.Op;
import io.kvpipe.producers.client.WriteResult;
import io.kvpipe.producers.client.internals.FailureDetail;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** How {@code txn} prints a transaction's result, as text or JSON, op by op. */
final class TxnOutput {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TxnOutput() {}

    /**
     * Committed: {@code committed <request id>}, then one line per op with the key's version after
     * it and its read position, by offset or by version ({@code   add account:7 version=4
     * position=2:118}, {@code   put b version=1 position=5:v1}). Otherwise one line: {@code aborted <request id> LOCK_CONFLICT op=1 add
     * account:9: <detail>}.
     */
    static String text(List<? extends Op> ops, WriteResult result) {
        StringBuilder s = new StringBuilder(status(result)).append(' ').append(result.requestId());
        if (result.isCommitted()) {
            for (Op op : ops) {
                s.append(System.lineSeparator()).append("  ").append(name(op)).append(' ').append(op.key());
                result.written(op.key()).ifPresent(w -> s.append(" version=").append(w.version())
                        .append(" position=").append(w.positionToken()));
            }
            return s.toString();
        }
        s.append(' ').append(result.reason().map(Enum::name).orElse("OTHER"));
        Optional<Integer> failed = failed(ops, result);
        failed.ifPresent(i -> s.append(" op=").append(i).append(' ').append(name(ops.get(i)))
                .append(' ').append(ops.get(i).key()));
        result.detail().ifPresent(d -> s.append(": ").append(FailureDetail.afterOp(d, failed.orElse(null))));
        return s.toString();
    }

    /**
     * One JSON object: {@code status}, {@code requestId}, {@code transactionId} when given; when
     * committed {@code ops} with each op's {@code op}, {@code key}, and for a written key its
     * {@code version}, {@code partition} and {@code position}; otherwise {@code reason},
     * {@code failedOp} with its {@code failedKey}, and {@code detail}, when known.
     */
    static String json(List<? extends Op> ops, WriteResult result) {
        ObjectNode root = JSON.createObjectNode();
        root.put("status", status(result));
        root.put("requestId", result.requestId());
        result.transactionId().ifPresent(t -> root.put("transactionId", t));
        if (result.isCommitted()) {
            ArrayNode list = root.putArray("ops");
            for (Op op : ops) {
                ObjectNode o = list.addObject().put("op", name(op)).put("key", op.key());
                result.written(op.key()).ifPresent(w -> o.put("version", w.version()).put("partition", w.partition())
                        .put("position", w.positionToken()));
            }
        } else {
            root.put("reason", result.reason().map(Enum::name).orElse("OTHER"));
            failed(ops, result).ifPresent(i -> root.put("failedOp", i).put("failedKey", ops.get(i).key()));
            result.detail().ifPresent(d -> root.put("detail", d));
        }
        return root.toString();
    }

    private static String status(WriteResult result) {
        return result.status().name().toLowerCase(Locale.ROOT);
    }

    /** The failing op's index, when the pipeline names one that exists. */
    private static Optional<Integer> failed(List<? extends Op> ops, WriteResult result) {
        if (result.failedOp().isEmpty()) {
            return Optional.empty();
        }
        int i = result.failedOp().getAsInt();
        return i >= 0 && i < ops.size() ? Optional.of(i) : Optional.empty();
    }

    /** The op's name in the {@link TxnOpParser} grammar. */
    static String name(Op op) {
        if (op instanceof Op.Put) {
            return "put";
        } else if (op instanceof Op.Delete) {
            return "del";
        } else if (op instanceof Op.CompareAndSet) {
            return "cas";
        } else if (op instanceof Op.Add) {
            return "add";
        }
        return "check";
    }
}
