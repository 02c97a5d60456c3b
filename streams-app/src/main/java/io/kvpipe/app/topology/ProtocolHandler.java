package io.kvpipe.app.topology;

import io.kvpipe.avro.DeadLetterReason;
import io.kvpipe.avro.Decision;
import io.kvpipe.avro.Operation;
import io.kvpipe.avro.Prepare;
import io.kvpipe.avro.ProtocolMessage;
import io.kvpipe.avro.Vote;
import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import io.kvpipe.schemas.ProtocolValue;
import java.util.List;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Handles one partition of the two-phase-commit protocol topic (for {@link TaskProcessor}), in the
 * same task and over the same stores as that partition of the requests topic: PREPARE to the
 * {@link Participant}, VOTE to the {@link Coordinator}, DECISION to the participant.
 *
 * <p>A record holds one message or a batch of them (see {@code ProtocolValue}), each handled as if it
 * were a record of its own; the messages this step sends go out batched per target partition.
 * Protocol records are written only by the pipeline, but are read as untrusted all the same: an
 * undecodable one, or a message addressed to another partition, is dead-lettered and processing
 * goes on.
 */
final class ProtocolHandler {

    private final TopologySettings settings;
    private final UnionValueReader values;
    private final TaskOutput output;
    private final Participant participant;
    private final Coordinator coordinator;

    ProtocolHandler(TopologySettings settings, TaskState state) {
        this.settings = settings;
        this.values = new UnionValueReader(settings.registry(), ProtocolValue.SCHEMA, "a ProtocolMessage",
                "a ProtocolMessage or a ProtocolBatch");
        this.output = state.output();
        this.participant = state.participant();
        this.coordinator = state.coordinator();
    }

    /** One record of the protocol topic, read from {@code source}, at wall-clock time {@code nowMs}. */
    void handle(Record<byte[], byte[]> record, RecordMetadata source, long nowMs) {
        List<ProtocolMessage> messages = decode(record, source, nowMs);
        for (int i = 0; i < messages.size(); i++) {
            String which = messages.size() == 1 ? "" : "message " + i + " of a batch of " + messages.size() + ": ";
            handle(record, source, messages.get(i), which, nowMs);
        }
    }

    /** The messages of {@code record}, or none when it is dead-lettered. */
    private List<ProtocolMessage> decode(Record<byte[], byte[]> record, RecordMetadata source, long nowMs) {
        UnionValueReader.Read read = values.read(source.topic(), record.value());
        if (read instanceof UnionValueReader.Bad bad) {
            output.deadLetter(record, source, bad.reason(), bad.detail(), nowMs);
            return List.of();
        }
        List<ProtocolMessage> messages = ProtocolValue.messages(((UnionValueReader.Value) read).datum());
        if (messages.isEmpty()) {
            output.deadLetter(record, source, DeadLetterReason.MALFORMED_REQUEST, "the batch holds no messages", nowMs);
        }
        return messages;
    }

    private void handle(Record<byte[], byte[]> record, RecordMetadata source, ProtocolMessage message, String which,
                        long nowMs) {
        if (message.getTargetPartition() != source.partition()) {
            output.deadLetter(record, source, DeadLetterReason.MALFORMED_REQUEST, which + "the message for transaction "
                    + Text.quote(message.getTransactionId()) + " is addressed to partition "
                    + message.getTargetPartition() + " but arrived on partition " + source.partition(), nowMs);
            return;
        }
        Object body = message.getBody();
        if (body instanceof Prepare prepare) {
            onPrepare(record, source, message, prepare, which, nowMs);
        } else if (body instanceof Vote vote) {
            coordinator.onVote(message.getTransactionId(), vote, nowMs, record.timestamp());
        } else if (body instanceof Decision decision) {
            participant.decide(message.getTransactionId(), decision.getCommit(), decision.getKeys(), nowMs,
                    record.timestamp());
        } else {
            output.deadLetter(record, source, DeadLetterReason.MALFORMED_REQUEST, which
                    + "unrecognised protocol message body " + (body == null ? "null" : body.getClass().getName()), nowMs);
        }
    }

    private void onPrepare(Record<byte[], byte[]> record, RecordMetadata source, ProtocolMessage message,
                           Prepare prepare, String which, long nowMs) {
        if (prepare.getOps().isEmpty() || prepare.getOpIndexes().size() != prepare.getOps().size()) {
            output.deadLetter(record, source, DeadLetterReason.MALFORMED_REQUEST, which + "the prepare for transaction "
                    + Text.quote(message.getTransactionId()) + " has " + prepare.getOps().size() + " ops and "
                    + prepare.getOpIndexes().size() + " op indexes", nowMs);
            return;
        }
        for (Operation op : prepare.getOps()) {
            if (op.getKey().isEmpty()) {
                // No data key is empty, and the empty key is the kv store's AppliedOffset entry.
                output.deadLetter(record, source, DeadLetterReason.MALFORMED_REQUEST, which + "the prepare for transaction "
                        + Text.quote(message.getTransactionId()) + " names an empty key", nowMs);
                return;
            }
            int owner = ConsistentHashPartitioner.partitionFor(op.getKey(), settings.requestPartitions());
            if (owner != source.partition()) {
                output.deadLetter(record, source, DeadLetterReason.MALFORMED_REQUEST, which + "the prepare for transaction "
                        + Text.quote(message.getTransactionId()) + " names the key " + Text.quote(op.getKey())
                        + ", which belongs to partition " + owner + ", not " + source.partition(), nowMs);
                return;
            }
        }
        participant.prepare(message.getTransactionId(), prepare.getRequestId(), message.getCoordinatorPartition(),
                prepare.getOps(), prepare.getOpIndexes(), prepare.getDeadlineMs(), null, nowMs);
    }
}
