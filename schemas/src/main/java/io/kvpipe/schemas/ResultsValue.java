package io.kvpipe.schemas;

import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.OutcomeBatch;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The value of a results-topic record: one {@link Outcome} (keyed by its request id), or an
 * {@link OutcomeBatch} of outcomes addressed to one client (keyed by the client's id), so that
 * answering a batch of requests costs one record, as sending it did.
 *
 * <p>The subject {@code <results topic>-value} holds these versions, registered in this order:
 * {@link #FIRST_OUTCOME}, the {@code Outcome} record (unchanged since it was first registered),
 * then {@link #SCHEMA}, the union {@code ["io.kvpipe.avro.Outcome", "io.kvpipe.avro.OutcomeBatch"]},
 * which reads data written with the first ({@code BACKWARD} compatible). Records are written with
 * the union. A reader of {@code Outcome} alone (a client before batches) reads the union's branch
 * 0 but not a batch: a task batches only the outcomes of requests that asked for it
 * ({@code Request.batchedOutcomes}).
 */
public final class ResultsValue {

    /** The current value schema of the results topic: {@code [Outcome, OutcomeBatch]}. */
    public static final Schema SCHEMA = Schema.createUnion(Outcome.getClassSchema(), OutcomeBatch.getClassSchema());

    /** Version 1 of the subject: the plain {@code Outcome} record. */
    public static final Schema FIRST_OUTCOME = Outcome.getClassSchema();

    private ResultsValue() {}

    /** Every schema ever registered under the subject, oldest first; the last is {@link #SCHEMA}. */
    public static List<Schema> versions() {
        return List.of(FIRST_OUTCOME, SCHEMA);
    }

    /**
     * The outcomes a decoded value holds, in order.
     *
     * @throws IllegalArgumentException if {@code value} is neither an {@code Outcome} nor an {@code OutcomeBatch}
     */
    public static List<Outcome> outcomes(Object value) {
        return UnionValues.items(value, Outcome.class, OutcomeBatch.class, OutcomeBatch::getOutcomes, "results-topic");
    }
}
