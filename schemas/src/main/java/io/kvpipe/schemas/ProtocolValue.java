package io.kvpipe.schemas;

import io.kvpipe.avro.ProtocolBatch;
import io.kvpipe.avro.ProtocolMessage;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The value of a txn-protocol record: one {@link ProtocolMessage}, or a {@link ProtocolBatch} of
 * messages for the partition the record is written to (what one processing step of one task sends
 * there), so that the two-phase commit of many transactions costs few records, as requests do.
 *
 * <p>The subject {@code <txn-protocol topic>-value} holds two versions, registered in this order:
 * the {@code ProtocolMessage} record, then {@link #SCHEMA}, the union
 * {@code ["io.kvpipe.avro.ProtocolMessage", "io.kvpipe.avro.ProtocolBatch"]}, which reads data
 * written with the first ({@code BACKWARD} compatible). Records are written with the union.
 */
public final class ProtocolValue {

    /** The current value schema of the txn-protocol topic: {@code [ProtocolMessage, ProtocolBatch]}. */
    public static final Schema SCHEMA = Schema.createUnion(ProtocolMessage.getClassSchema(),
            ProtocolBatch.getClassSchema());

    private ProtocolValue() {}

    /** Every schema ever registered under the subject, oldest first; the last is {@link #SCHEMA}. */
    public static List<Schema> versions() {
        return List.of(ProtocolMessage.getClassSchema(), SCHEMA);
    }

    /**
     * The messages a decoded value holds, in order.
     *
     * @throws IllegalArgumentException if {@code value} is neither a message nor a batch
     */
    public static List<ProtocolMessage> messages(Object value) {
        if (value instanceof ProtocolMessage message) {
            return List.of(message);
        }
        if (value instanceof ProtocolBatch batch) {
            return batch.getMessages();
        }
        throw new IllegalArgumentException("not a txn-protocol value: "
                + (value == null ? "null" : value.getClass().getName()));
    }
}
