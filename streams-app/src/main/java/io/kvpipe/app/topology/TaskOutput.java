package io.kvpipe.app.topology;

import io.kvpipe.avro.ChangeEvent;
import io.kvpipe.avro.DeadLetter;
import io.kvpipe.avro.DeadLetterReason;
import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.ProtocolBatch;
import io.kvpipe.avro.ProtocolMessage;
import io.kvpipe.avro.ReplyTo;
import io.kvpipe.avro.Request;
import io.kvpipe.avro.VersionedValue;
import io.kvpipe.schemas.Limits;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * What a task sends out: change events, outcomes (remembered for retries), protocol messages and
 * dead letters, each to its sink. Shared by the request and protocol processors of a task, whose
 * records and punctuations all produce the same kinds of output.
 */
final class TaskOutput {

    /**
     * A dead letter keeps at most this much of the original value and key, so that it always fits
     * Kafka's default 1 MiB record limit even when the bad record itself nearly filled it (a dead
     * letter that cannot be produced would fail the thread on every retry). Longer originals are
     * cut, and the detail says so.
     */
    static final int MAX_ORIGINAL_VALUE_BYTES = 512 * 1024;
    static final int MAX_ORIGINAL_KEY_BYTES = 16 * 1024;

    private final ProcessorContext<String, Object> context;
    private final Reply.Wire outcomes;
    private final String resultsTopic;
    private final DedupLog dedup;
    private final String instanceId;
    /** Protocol messages of the current step by target partition, in the order they were sent. */
    private final Map<Integer, List<ProtocolMessage>> pendingProtocol = new TreeMap<>();

    TaskOutput(ProcessorContext<String, Object> context, Reply.Wire outcomes, String resultsTopic, DedupLog dedup,
               String instanceId) {
        this.context = context;
        this.outcomes = outcomes;
        this.resultsTopic = resultsTopic;
        this.dedup = dedup;
        this.instanceId = instanceId;
    }

    /** A committed change of {@code key} to {@code state} (a null value is a delete). */
    void change(String key, VersionedValue state, long timestamp) {
        ChangeEvent change = new ChangeEvent(key, state.getValue(), state.getVersion(), state.getRequestId(),
                state.getTransactionId(), state.getUpdatedAtMs());
        context.forward(new Record<>(key, change, timestamp), RequestTopology.CHANGES_SINK);
    }

    /**
     * The final outcome of {@code request}: remembered for the dedup retention, so a retry gets these
     * very bytes, and sent to the request's reply partition.
     */
    void answer(Request request, Outcome outcome, long timestamp) {
        byte[] encoded = remember(outcome);
        reply(request, Reply.encoded(request.getReplyTo(), encoded), timestamp);
    }

    /**
     * The final outcome of request {@code requestId}, which this task has not read (only votes for
     * it came): remembered, and sent to {@code replyTo} when the votes carried one.
     */
    void answer(String requestId, ReplyTo replyTo, Outcome outcome, long timestamp) {
        byte[] encoded = remember(outcome);
        if (replyTo != null) {
            context.forward(new Record<>(requestId, Reply.encoded(replyTo, encoded), timestamp),
                    RequestTopology.RESULTS_SINK);
        }
    }

    /** Remembers {@code outcome} for the dedup retention without sending it; returns it encoded. */
    private byte[] remember(Outcome outcome) {
        byte[] encoded = outcomes.encode(resultsTopic, outcome);
        dedup.remember(outcome.getRequestId(), outcome.getTimestampMs(), encoded);
        return encoded;
    }

    /** Whether an outcome of {@code requestId} is remembered at {@code nowMs}. */
    boolean remembered(String requestId, long nowMs) {
        return dedup.find(requestId, nowMs) != null;
    }

    /** Sends {@code outcome} without remembering it (an invalid request is judged again on retry). */
    void reply(Request request, Outcome outcome, long timestamp) {
        reply(request, Reply.to(request.getReplyTo(), outcome), timestamp);
    }

    /** The reply to {@code request}, keyed by its request id (which its outcome carries too). */
    void reply(Request request, Reply reply, long timestamp) {
        context.forward(new Record<>(request.getRequestId(), reply, timestamp), RequestTopology.RESULTS_SINK);
    }

    /**
     * A two-phase-commit message, to its target partition of the protocol topic: held until
     * {@link #flushProtocol}, so that what one processing step sends to one partition goes out as
     * one record.
     */
    void protocol(ProtocolMessage message) {
        pendingProtocol.computeIfAbsent(message.getTargetPartition(), p -> new ArrayList<>()).add(message);
    }

    /**
     * Sends the protocol messages held since the last flush: one record per target partition, a
     * plain {@code ProtocolMessage} when it is alone, else a {@code ProtocolBatch}. Called at the end
     * of every processing step and punctuation that may have sent any.
     */
    void flushProtocol(long timestamp) {
        if (pendingProtocol.isEmpty()) {
            return;
        }
        for (List<ProtocolMessage> messages : pendingProtocol.values()) {
            String key = messages.get(0).getTransactionId();
            Object value = messages.size() == 1 ? messages.get(0) : new ProtocolBatch(messages);
            context.forward(new Record<>(key, value, timestamp), RequestTopology.PROTOCOL_SINK);
        }
        pendingProtocol.clear();
    }

    /** Forgets held protocol messages of a step that failed (its effects are aborted anyway). */
    void discardProtocol() {
        pendingProtocol.clear();
    }

    /** {@code record}, read from {@code source}, is bad input: kept with the reason on the dead-letter topic. */
    void deadLetter(Record<byte[], byte[]> record, RecordMetadata source, DeadLetterReason reason, String detail,
                    long nowMs) {
        StringBuilder fullDetail = new StringBuilder(detail);
        ByteBuffer originalKey = kept(record.key(), MAX_ORIGINAL_KEY_BYTES, "key", fullDetail);
        ByteBuffer originalValue = kept(record.value(), MAX_ORIGINAL_VALUE_BYTES, "value", fullDetail);
        DeadLetter letter = DeadLetter.newBuilder()
                .setSourceTopic(source.topic())
                .setSourcePartition(source.partition())
                .setSourceOffset(source.offset())
                .setReason(reason)
                .setDetail(fullDetail.toString())
                .setOriginalKey(originalKey)
                .setOriginalValue(originalValue)
                .setInstanceId(instanceId)
                .setTimestampMs(nowMs)
                .build();
        context.forward(new Record<>(deadLetterKey(record.key(), source), letter, record.timestamp()),
                RequestTopology.DEAD_LETTERS_SINK);
    }

    private static ByteBuffer kept(byte[] original, int limit, String what, StringBuilder detail) {
        if (original == null) {
            return null;
        }
        if (original.length <= limit) {
            return ByteBuffer.wrap(original);
        }
        detail.append(" (original ").append(what).append(" cut to its first ").append(limit).append(" of ")
                .append(original.length).append(" bytes)");
        return ByteBuffer.wrap(original, 0, limit).slice();
    }

    /**
     * The original key where it is UTF-8 text of at most {@code MAX_KEY_BYTES}; otherwise where the
     * record came from, {@code <topic>-<partition>@<offset>}.
     */
    static String deadLetterKey(byte[] originalKey, RecordMetadata source) {
        if (originalKey != null && originalKey.length <= Limits.MAX_KEY_BYTES) {
            try {
                return Text.decodeUtf8Strictly(originalKey);
            } catch (CharacterCodingException notText) {
                // fall through
            }
        }
        return source.topic() + "-" + source.partition() + "@" + source.offset();
    }
}
