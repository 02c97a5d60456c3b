package io.kvpipe.app.topology;

import io.kvpipe.avro.Add;
import io.kvpipe.avro.Check;
import io.kvpipe.avro.CompareAndSet;
import io.kvpipe.avro.Delete;
import io.kvpipe.avro.Operation;
import io.kvpipe.avro.Put;
import io.kvpipe.avro.ReplyTo;
import io.kvpipe.avro.Request;
import java.util.List;

/** Requests and operations as a client would send them. */
final class Requests {

    /** The reply partition every test request names unless it says otherwise. */
    static final int REPLY_PARTITION = 5;

    private Requests() {}

    static Request request(String requestId, Operation... ops) {
        return request(requestId, REPLY_PARTITION, ops);
    }

    static Request request(String requestId, int replyPartition, Operation... ops) {
        return Request.newBuilder()
                .setRequestId(requestId)
                .setReplyTo(new ReplyTo("client-1", replyPartition))
                .setOps(List.of(ops))
                .setTimestampMs(1_000L)
                .build();
    }

    /** {@code request}, marked as sent once under an id its client made for it ({@code freshId}). */
    static Request fresh(Request request) {
        request.setFreshId(true);
        return request;
    }

    static Request fireAndForget(String requestId, Operation... ops) {
        return Request.newBuilder()
                .setRequestId(requestId)
                .setReplyTo(null)
                .setOps(List.of(ops))
                .setTimestampMs(1_000L)
                .build();
    }

    static Operation put(String key, String value) {
        return new Operation(key, new Put(value));
    }

    static Operation delete(String key) {
        return new Operation(key, new Delete());
    }

    static Operation cas(String key, Long expectedVersion, String value) {
        return new Operation(key, new CompareAndSet(expectedVersion, value));
    }

    static Operation add(String key, long delta) {
        return new Operation(key, new Add(delta, null));
    }

    static Operation add(String key, long delta, Long floor) {
        return new Operation(key, new Add(delta, floor));
    }

    static Operation check(String key, Long expectedVersion) {
        return new Operation(key, new Check(expectedVersion));
    }
}
