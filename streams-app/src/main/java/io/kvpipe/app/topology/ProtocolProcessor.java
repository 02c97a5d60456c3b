package io.kvpipe.app.topology;

import io.kvpipe.app.heartbeat.ProcessingLiveness;
import io.kvpipe.avro.DeadLetterReason;
import io.kvpipe.avro.Decision;
import io.kvpipe.avro.Operation;
import io.kvpipe.avro.Prepare;
import io.kvpipe.avro.ProtocolMessage;
import io.kvpipe.avro.Vote;
import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import io.kvpipe.schemas.registry.SchemaRegistryException;
import io.kvpipe.schemas.serde.AvroDeserializer;
import io.kvpipe.schemas.serde.UnknownSchemaException;
import java.time.Duration;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Processes one partition of the two-phase-commit protocol topic, in the same task (and over the
 * same stores) as that partition of the requests topic: PREPARE to the {@link Participant}, VOTE to
 * the {@link Coordinator}, DECISION to the participant. A wall-clock punctuation aborts the
 * coordinator's transactions that are past their deadline.
 *
 * <p>Protocol records are written only by the pipeline, but are read as untrusted all the same: an
 * undecodable one, or one addressed to another partition, is dead-lettered and processing goes on.
 */
final class ProtocolProcessor implements Processor<byte[], byte[], String, Object> {

    /** How often the coordinator looks for transactions past their deadline. */
    static final Duration DEADLINE_CHECK_INTERVAL = Duration.ofMillis(100);

    private final TopologySettings settings;
    private final AvroDeserializer<ProtocolMessage> messages;
    private final ProcessingLiveness liveness;

    private ProcessorContext<String, Object> context;
    private TaskOutput output;
    private Participant participant;
    private Coordinator coordinator;

    ProtocolProcessor(TopologySettings settings) {
        this.settings = settings;
        this.messages = new AvroDeserializer<>(settings.registry(), ProtocolMessage.class);
        this.liveness = settings.liveness();
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        TaskState state = TaskState.open(context, settings);
        this.output = state.output();
        this.participant = state.participant();
        this.coordinator = state.coordinator();
        context.schedule(DEADLINE_CHECK_INTERVAL, PunctuationType.WALL_CLOCK_TIME, coordinator::expire);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        liveness.tick();
        RecordMetadata source = context.recordMetadata()
                .orElseThrow(() -> new IllegalStateException("a protocol record without topic, partition and offset"));
        long nowMs = context.currentSystemTimeMs();
        ProtocolMessage message;
        try {
            message = record.value() == null ? null : messages.deserialize(source.topic(), record.value());
        } catch (UnknownSchemaException e) {
            output.deadLetter(record, source, DeadLetterReason.UNKNOWN_SCHEMA, "the value names schema id "
                    + e.schemaId() + ", which does not resolve to a usable Avro schema", nowMs);
            return;
        } catch (SerializationException e) {
            SchemaRegistryException registryFailure = RequestDecoder.registryFailure(e);
            if (registryFailure != null) {
                throw new SchemaRegistryUnavailableException("The schema registry could not resolve the schema of a "
                        + "record of " + source.topic() + "; the record will be retried: " + registryFailure.getMessage(), e);
            }
            output.deadLetter(record, source, DeadLetterReason.UNDECODABLE,
                    "the value is not a ProtocolMessage in the Confluent Avro wire format: " + e.getMessage(), nowMs);
            return;
        }
        if (message == null) {
            output.deadLetter(record, source, DeadLetterReason.UNDECODABLE,
                    "the record has no value (a tombstone), not a ProtocolMessage", nowMs);
            return;
        }
        if (message.getTargetPartition() != source.partition()) {
            output.deadLetter(record, source, DeadLetterReason.MALFORMED_REQUEST, "the message for transaction "
                    + Text.quote(message.getTransactionId()) + " is addressed to partition "
                    + message.getTargetPartition() + " but arrived on partition " + source.partition(), nowMs);
            return;
        }
        Object body = message.getBody();
        if (body instanceof Prepare prepare) {
            onPrepare(record, source, message, prepare, nowMs);
        } else if (body instanceof Vote vote) {
            coordinator.onVote(message.getTransactionId(), vote, nowMs, record.timestamp());
        } else if (body instanceof Decision decision) {
            participant.decide(message.getTransactionId(), decision.getCommit(), nowMs, record.timestamp());
        } else {
            output.deadLetter(record, source, DeadLetterReason.MALFORMED_REQUEST,
                    "unrecognised protocol message body " + (body == null ? "null" : body.getClass().getName()), nowMs);
        }
    }

    private void onPrepare(Record<byte[], byte[]> record, RecordMetadata source, ProtocolMessage message,
                           Prepare prepare, long nowMs) {
        if (prepare.getOps().isEmpty() || prepare.getOpIndexes().size() != prepare.getOps().size()) {
            output.deadLetter(record, source, DeadLetterReason.MALFORMED_REQUEST, "the prepare for transaction "
                    + Text.quote(message.getTransactionId()) + " has " + prepare.getOps().size() + " ops and "
                    + prepare.getOpIndexes().size() + " op indexes", nowMs);
            return;
        }
        for (Operation op : prepare.getOps()) {
            int owner = ConsistentHashPartitioner.partitionFor(op.getKey(), settings.requestPartitions());
            if (owner != source.partition()) {
                output.deadLetter(record, source, DeadLetterReason.MALFORMED_REQUEST, "the prepare for transaction "
                        + Text.quote(message.getTransactionId()) + " names the key " + Text.quote(op.getKey())
                        + ", which belongs to partition " + owner + ", not " + source.partition(), nowMs);
                return;
            }
        }
        Participant.Prepared prepared = participant.prepare(message.getTransactionId(), prepare.getRequestId(),
                message.getCoordinatorPartition(), prepare.getOps(), prepare.getOpIndexes(), prepare.getDeadlineMs(),
                nowMs);
        if (prepared instanceof Participant.Voted voted) {
            int coordinatorPartition = message.getCoordinatorPartition();
            output.protocol(new ProtocolMessage(message.getTransactionId(), coordinatorPartition, coordinatorPartition,
                    nowMs, voted.vote()), record.timestamp());
        }
    }
}
