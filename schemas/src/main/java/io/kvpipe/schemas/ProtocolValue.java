package io.kvpipe.schemas;

import io.kvpipe.avro.ProtocolBatch;
import io.kvpipe.avro.ProtocolMessage;
import io.kvpipe.avro.Vote;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The value of a txn-protocol record: one {@link ProtocolMessage}, or a {@link ProtocolBatch} of
 * messages for the partition the record is written to (what one processing step of one task sends
 * there), so that the two-phase commit of many transactions costs few records, as requests do.
 *
 * <p>The subject {@code <txn-protocol topic>-value} holds these versions, registered in this order:
 * {@link #FIRST_MESSAGE}, the {@code ProtocolMessage} record as it was first registered, then
 * {@link #SCHEMA}, the union {@code ["io.kvpipe.avro.ProtocolMessage", "io.kvpipe.avro.ProtocolBatch"]},
 * which reads data written with every earlier version ({@code BACKWARD} compatible; a subject of an
 * earlier release holds that release's union as version 2, and this one comes after it). Records
 * are written with the union. As for the requests topic, only the union evolves.
 */
public final class ProtocolValue {

    /** The current value schema of the txn-protocol topic: {@code [ProtocolMessage, ProtocolBatch]}. */
    public static final Schema SCHEMA = Schema.createUnion(ProtocolMessage.getClassSchema(),
            ProtocolBatch.getClassSchema());

    /**
     * Version 1 of the subject: the {@code ProtocolMessage} record before a vote carried
     * {@code deadlineMs} and {@code replyTo}, exactly as it was registered then (the registry
     * matches schemas by their text).
     */
    public static final Schema FIRST_MESSAGE = withBody(ProtocolMessage.getClassSchema(),
            Schemas.withoutFields(Vote.getClassSchema(), "deadlineMs", "replyTo"));

    private ProtocolValue() {}

    /** Every schema ever registered under the subject, oldest first; the last is {@link #SCHEMA}. */
    public static List<Schema> versions() {
        return List.of(FIRST_MESSAGE, SCHEMA);
    }

    /** {@code message} with {@code vote} in place of the {@code Vote} branch of its body. */
    private static Schema withBody(Schema message, Schema vote) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field field : message.getFields()) {
            if (field.name().equals("body")) {
                List<Schema> branches = new ArrayList<>();
                for (Schema branch : field.schema().getTypes()) {
                    branches.add(branch.getFullName().equals(vote.getFullName()) ? vote : branch);
                }
                fields.add(new Schema.Field(field, Schema.createUnion(branches)));
            } else {
                fields.add(new Schema.Field(field, field.schema()));
            }
        }
        return Schemas.record(message, fields);
    }

    /**
     * The messages a decoded value holds, in order.
     *
     * @throws IllegalArgumentException if {@code value} is neither a message nor a batch
     */
    public static List<ProtocolMessage> messages(Object value) {
        return UnionValues.items(value, ProtocolMessage.class, ProtocolBatch.class, ProtocolBatch::getMessages,
                "txn-protocol");
    }
}
