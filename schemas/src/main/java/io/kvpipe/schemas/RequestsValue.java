package io.kvpipe.schemas;

import io.kvpipe.avro.Request;
import io.kvpipe.avro.RequestBatch;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The value of a requests-topic record: either one {@link Request}, or a {@link RequestBatch} of
 * independent requests that all belong to the partition the record is written to.
 *
 * <h2>On the wire</h2>
 * The subject {@code <requests topic>-value} holds two versions, registered in this order:
 * <ol>
 *   <li>the {@code Request} record itself: a plain request, byte for byte what clients wrote before
 *       batches existed;</li>
 *   <li>{@link #SCHEMA}, the union {@code ["io.kvpipe.avro.Request", "io.kvpipe.avro.RequestBatch"]}.
 *       It reads data written with version 1, so the subject stays {@code BACKWARD} compatible and an
 *       existing subject can be upgraded in place. A batch is written with this union (branch 1).</li>
 * </ol>
 * A reader decodes any record of the topic with {@link #SCHEMA} as its reader schema and gets a
 * {@code Request} or a {@code RequestBatch}; {@link #requests(Object)} flattens either.
 *
 * <p>A batch is only a way to carry many requests in one record: each request in it keeps its own
 * id, deduplication, outcome (one {@code Outcome} per request on the results topic), change events
 * and success or failure, exactly as if it had been a record of its own at the batch's offset.
 */
public final class RequestsValue {

    /** The current value schema of the requests topic: {@code [Request, RequestBatch]}. */
    public static final Schema SCHEMA = Schema.createUnion(Request.getClassSchema(), RequestBatch.getClassSchema());

    /** The union branch of a batch. */
    public static final int BATCH_BRANCH = 1;

    private RequestsValue() {}

    /** Every schema ever registered under the subject, oldest first; the last is {@link #SCHEMA}. */
    public static List<Schema> versions() {
        return List.of(Request.getClassSchema(), SCHEMA);
    }

    /**
     * The requests a decoded value holds, in order.
     *
     * @throws IllegalArgumentException if {@code value} is neither a {@code Request} nor a {@code RequestBatch}
     */
    public static List<Request> requests(Object value) {
        if (value instanceof Request request) {
            return List.of(request);
        }
        if (value instanceof RequestBatch batch) {
            return batch.getRequests();
        }
        throw new IllegalArgumentException("not a requests-topic value: "
                + (value == null ? "null" : value.getClass().getName()));
    }
}
