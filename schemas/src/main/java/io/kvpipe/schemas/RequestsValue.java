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
 * The subject {@code <requests topic>-value} holds these versions, registered in this order:
 * <ol>
 *   <li>{@link #FIRST_REQUEST}, the {@code Request} record as it was before batches existed: a
 *       plain request, byte for byte what clients wrote then (and clients of earlier versions still
 *       write);</li>
 *   <li>{@link #SCHEMA}, the union {@code ["io.kvpipe.avro.Request", "io.kvpipe.avro.RequestBatch"]}.
 *       It reads data written with every earlier version, so the subject stays {@code BACKWARD}
 *       compatible and an existing subject is upgraded in place (a subject of an earlier release
 *       holds that release's union as version 2, and this one comes after it). Requests are written
 *       with this union: one request alone as branch 0, a batch as branch 1.</li>
 * </ol>
 * Only the union evolves. A plain {@code Request} with a new field could never be registered again:
 * after the union, a plain record cannot read the union's batches, so the subject would refuse it.
 * A reader decodes any record of the topic with {@link #SCHEMA} as its reader schema and gets a
 * {@code Request} or a {@code RequestBatch}; {@link #requests(Object)} flattens either.
 *
 * <p>A batch is only a way to carry many requests in one record: each request in it keeps its own
 * id, deduplication, outcome (an {@code Outcome} of its own, alone or in an {@code OutcomeBatch}:
 * see {@link ResultsValue}), change events
 * and success or failure, exactly as if it had been a record of its own at the batch's offset.
 */
public final class RequestsValue {

    /** The current value schema of the requests topic: {@code [Request, RequestBatch]}. */
    public static final Schema SCHEMA = Schema.createUnion(Request.getClassSchema(), RequestBatch.getClassSchema());

    /** The union branch of one request alone. */
    public static final int REQUEST_BRANCH = 0;

    /** The union branch of a batch. */
    public static final int BATCH_BRANCH = 1;

    /**
     * Version 1 of the subject: the {@code Request} record before {@code sentToParticipants} (and
     * the later {@code freshId} and {@code batchedOutcomes}) was added, exactly as it was registered
     * then (the registry matches schemas by their text).
     */
    public static final Schema FIRST_REQUEST = Schemas.withoutFields(Request.getClassSchema(), "sentToParticipants",
            "freshId", "batchedOutcomes");

    private RequestsValue() {}

    /** Every schema ever registered under the subject, oldest first; the last is {@link #SCHEMA}. */
    public static List<Schema> versions() {
        return List.of(FIRST_REQUEST, SCHEMA);
    }


    /**
     * The requests a decoded value holds, in order.
     *
     * @throws IllegalArgumentException if {@code value} is neither a {@code Request} nor a {@code RequestBatch}
     */
    public static List<Request> requests(Object value) {
        return UnionValues.items(value, Request.class, RequestBatch.class, RequestBatch::getRequests, "requests-topic");
    }
}
