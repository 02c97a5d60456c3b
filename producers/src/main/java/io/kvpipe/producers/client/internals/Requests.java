package io.kvpipe.producers.client.internals;

import io.kvpipe.avro.Add;
import io.kvpipe.avro.Check;
import io.kvpipe.avro.CompareAndSet;
import io.kvpipe.avro.Delete;
import io.kvpipe.avro.Operation;
import io.kvpipe.avro.Put;
import io.kvpipe.avro.ReplyTo;
import io.kvpipe.avro.Request;
import io.kvpipe.producers.client.ExpectedVersion;
import io.kvpipe.producers.client.Op;
import java.util.ArrayList;
import java.util.List;

/** Builds the wire {@link Request} for a list of {@link Op}s. */
public final class Requests {

    private Requests() {}

    /**
     * The request record. The record key on the requests topic is its routing key,
     * {@link #routingKey}.
     *
     * @throws IllegalArgumentException if {@code ops} is empty, too long, holds a null or names a
     *     key twice
     */
    public static Request build(String requestId, ReplyTo replyTo, List<? extends Op> ops, long nowMs) {
        return build(requestId, replyTo, ops, nowMs, null);
    }

    /**
     * As {@link #build(String, ReplyTo, List, long)}, with how long the transaction may take
     * before the pipeline aborts it (null: the pipeline's default).
     */
    public static Request build(String requestId, ReplyTo replyTo, List<? extends Op> ops, long nowMs,
            Integer timeoutMs) {
        Validation.ops(ops);
        List<Operation> operations = new ArrayList<>(ops.size());
        for (Op op : ops) {
            operations.add(operation(op));
        }
        return Request.newBuilder()
                .setRequestId(requestId)
                .setReplyTo(replyTo)
                .setOps(operations)
                .setTimestampMs(nowMs)
                .setTimeoutMs(timeoutMs)
                .build();
    }

    /** The key the request is routed by: the first op's key. */
    public static String routingKey(List<? extends Op> ops) {
        return ops.get(0).key();
    }

    static Operation operation(Op op) {
        if (op == null) {
            throw new IllegalArgumentException("an operation must not be null");
        }
        Object action;
        if (op instanceof Op.Put put) {
            action = Put.newBuilder().setValue(put.value()).build();
        } else if (op instanceof Op.Delete) {
            action = Delete.newBuilder().build();
        } else if (op instanceof Op.CompareAndSet cas) {
            action = CompareAndSet.newBuilder()
                    .setExpectedVersion(wire(cas.expected()))
                    .setValue(cas.newValue())
                    .build();
        } else if (op instanceof Op.Add add) {
            action = Add.newBuilder()
                    .setDelta(add.delta())
                    .setFloor(add.floor().isPresent() ? add.floor().getAsLong() : null)
                    .build();
        } else if (op instanceof Op.Check check) {
            action = Check.newBuilder().setExpectedVersion(wire(check.expected())).build();
        } else {
            throw new IllegalArgumentException("unknown operation " + op);
        }
        return Operation.newBuilder().setKey(op.key()).setAction(action).build();
    }

    private static Long wire(ExpectedVersion expected) {
        return expected.isAbsent() ? null : expected.version().getAsLong();
    }
}
