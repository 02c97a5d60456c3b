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
import io.kvpipe.schemas.serde.BatchValueWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 *
 * <p>Protocol messages, and the outcomes of requests that asked for batched outcomes, are held until
 * the end of the processing step ({@link #flush}) and leave as one record per target partition
 * (per client, for outcomes): a step handles a batch of requests or messages, so this turns a
 * record per request into a record per batch.
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

    /**
     * An outcome batch holds at most this many bytes of outcomes (a quarter of Kafka's default 1 MiB
     * record limit); more to one client in one step go out in several.
     */
    static final int MAX_OUTCOME_BATCH_BYTES = 256 * 1024;

    private final ProcessorContext<String, Object> context;
    private final BatchValueWriter<Outcome> outcomes;
    private final DedupLog dedup;
    private final String instanceId;
    /** Protocol messages of the current step by target partition, in the order they were sent. */
    private final Map<Integer, List<ProtocolMessage>> pendingProtocol = new TreeMap<>();
    /** Batched outcomes of the current step by client, in the order they were decided. */
    private final Map<ReplyTo, List<HeldOutcome>> pendingOutcomes = new LinkedHashMap<>();

    TaskOutput(ProcessorContext<String, Object> context, BatchValueWriter<Outcome> outcomes, DedupLog dedup,
               String instanceId) {
        this.context = context;
        this.outcomes = outcomes;
        this.dedup = dedup;
        this.instanceId = instanceId;
    }

    /** An outcome held for its client's batch: its Avro binary, and its value were it sent alone. */
    private record HeldOutcome(String requestId, byte[] body, byte[] alone) {}

    /** A committed change of {@code key} to {@code state} (a null value is a delete). */
    void change(String key, VersionedValue state, long timestamp) {
        ChangeEvent change = new ChangeEvent(key, state.getValue(), state.getVersion(), state.getRequestId(),
                state.getTransactionId(), state.getUpdatedAtMs());
        context.forward(new Record<>(key, change, timestamp), RequestTopology.CHANGES_SINK);
    }

    /**
     * The final outcome of {@code request}: remembered for the dedup retention, so a retry gets these
     * very bytes (as a value of its own), and sent to the request's reply partition.
     */
    void answer(Request request, Outcome outcome, long timestamp) {
        byte[] body = outcomes.encode(outcome);
        send(request, body, remember(outcome, body), timestamp);
    }

    /**
     * The final outcome of request {@code requestId}, which this task has not read (only votes for
     * it came): remembered, and sent alone to {@code replyTo} when the votes carried one (they do
     * not say whether the client reads batches).
     */
    void answer(String requestId, ReplyTo replyTo, Outcome outcome, long timestamp) {
        byte[] alone = remember(outcome, outcomes.encode(outcome));
        if (replyTo != null) {
            forwardReply(requestId, Reply.to(replyTo, alone), timestamp);
        }
    }

    /** Remembers {@code outcome} (its Avro binary {@code body}) as a value of its own; returns that value. */
    private byte[] remember(Outcome outcome, byte[] body) {
        byte[] alone = outcomes.single(body);
        dedup.remember(outcome.getRequestId(), outcome.getTimestampMs(), alone);
        return alone;
    }

    /** Whether an outcome of {@code requestId} is remembered at {@code nowMs}. */
    boolean remembered(String requestId, long nowMs) {
        return dedup.find(requestId, nowMs) != null;
    }

    /** Sends {@code outcome} without remembering it (an invalid request is judged again on retry). */
    void reply(Request request, Outcome outcome, long timestamp) {
        byte[] body = outcomes.encode(outcome);
        send(request, body, outcomes.single(body), timestamp);
    }

    /**
     * Sends {@code request} its first outcome again, the value remembered for it (written alone,
     * perhaps by an earlier version: sent as it is).
     */
    void replyRemembered(Request request, byte[] remembered, long timestamp) {
        forwardReply(request.getRequestId(), Reply.to(request.getReplyTo(), remembered), timestamp);
    }

    /** Holds the outcome for its client's batch if the request asked for one, else sends it alone now. */
    private void send(Request request, byte[] body, byte[] alone, long timestamp) {
        ReplyTo replyTo = request.getReplyTo();
        if (replyTo != null && request.getBatchedOutcomes() && fitsAsKey(replyTo.getClientId())) {
            pendingOutcomes.computeIfAbsent(replyTo, r -> new ArrayList<>())
                    .add(new HeldOutcome(request.getRequestId(), body, alone));
        } else {
            forwardReply(request.getRequestId(), Reply.to(replyTo, alone), timestamp);
        }
    }

    /**
     * Whether {@code clientId} may key a batch: no longer than a request id may be, so that a client
     * id of any length (nothing else bounds it but the request's record) never makes a record too
     * large to send, which would fail the task on every retry. A longer one gets its outcomes alone.
     */
    private static boolean fitsAsKey(String clientId) {
        return clientId.length() <= Limits.MAX_REQUEST_ID_BYTES / 3
                || clientId.getBytes(StandardCharsets.UTF_8).length <= Limits.MAX_REQUEST_ID_BYTES;
    }

    /** A results-topic record: keyed by its request id when alone, by its client's id when a batch. */
    private void forwardReply(String key, Reply reply, long timestamp) {
        context.forward(new Record<>(key, reply, timestamp), RequestTopology.RESULTS_SINK);
    }

    /**
     * A two-phase-commit message, to its target partition of the protocol topic: held until
     * {@link #flush}, so that what one processing step sends to one partition goes out as one record.
     */
    void protocol(ProtocolMessage message) {
        pendingProtocol.computeIfAbsent(message.getTargetPartition(), p -> new ArrayList<>()).add(message);
    }

    /**
     * Sends what the step held: the protocol messages, one record per target partition (a plain
     * {@code ProtocolMessage} when it is alone, else a {@code ProtocolBatch}), and the batched
     * outcomes, one record per client (an {@code Outcome} keyed by its request id when it is alone,
     * else {@code OutcomeBatch}es keyed by the client id). Called at the end of every processing step
     * and punctuation.
     */
    void flush(long timestamp) {
        for (List<ProtocolMessage> messages : pendingProtocol.values()) {
            String key = messages.get(0).getTransactionId();
            Object value = messages.size() == 1 ? messages.get(0) : new ProtocolBatch(messages);
            context.forward(new Record<>(key, value, timestamp), RequestTopology.PROTOCOL_SINK);
        }
        pendingProtocol.clear();
        pendingOutcomes.forEach((replyTo, held) -> flushOutcomes(replyTo, held, timestamp));
        pendingOutcomes.clear();
    }

    private void flushOutcomes(ReplyTo replyTo, List<HeldOutcome> held, long timestamp) {
        if (held.size() == 1) {
            forwardReply(held.get(0).requestId(), Reply.to(replyTo, held.get(0).alone()), timestamp);
            return;
        }
        List<byte[]> bodies = held.stream().map(HeldOutcome::body).toList();
        for (List<byte[]> batch : batches(bodies, MAX_OUTCOME_BATCH_BYTES)) {
            forwardReply(replyTo.getClientId(), Reply.to(replyTo, outcomes.batch(batch)), timestamp);
        }
    }

    /**
     * {@code bodies} in order, cut into runs of at most {@code maxBytes} each; a body larger than
     * that is a run of its own.
     */
    static List<List<byte[]>> batches(List<byte[]> bodies, int maxBytes) {
        List<List<byte[]>> batches = new ArrayList<>();
        List<byte[]> batch = new ArrayList<>();
        int bytes = 0;
        for (byte[] body : bodies) {
            if (!batch.isEmpty() && bytes + body.length > maxBytes) {
                batches.add(batch);
                batch = new ArrayList<>();
                bytes = 0;
            }
            batch.add(body);
            bytes += body.length;
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
        return batches;
    }

    /** Forgets what a step that failed held (its effects are aborted anyway). */
    void discard() {
        pendingProtocol.clear();
        pendingOutcomes.clear();
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
