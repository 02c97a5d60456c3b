package io.kvpipe.app.topology;

import io.kvpipe.app.heartbeat.ProcessingLiveness;
import io.kvpipe.avro.ChangeEvent;
import io.kvpipe.avro.DeadLetter;
import io.kvpipe.avro.DeadLetterReason;
import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.OutcomeStatus;
import io.kvpipe.avro.RejectReason;
import io.kvpipe.avro.Request;
import io.kvpipe.avro.VersionedValue;
import io.kvpipe.schemas.Limits;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Processes the requests of one partition: decode, validate, deduplicate, decide and apply in one
 * step, then publish change events and the outcome. A record holds one request or a batch of them;
 * each request of a batch goes through the same steps, in order, as if it were a record of its own
 * at the batch's offset. See {@link RequestTopology} for the promise.
 */
final class RequestProcessor implements Processor<byte[], byte[], String, Object> {

    /** How often the wall-clock punctuator proves the thread is alive. */
    static final Duration LIVENESS_INTERVAL = Duration.ofMillis(100);
    /**
     * A dead letter keeps at most this much of the original value and key, so that it always fits
     * Kafka's default 1 MiB record limit even when the bad record itself nearly filled it (a dead
     * letter that cannot be produced would fail the thread on every retry). Longer originals are
     * cut, and the detail says so.
     */
    static final int MAX_ORIGINAL_VALUE_BYTES = 512 * 1024;
    static final int MAX_ORIGINAL_KEY_BYTES = 16 * 1024;

    private final ProcessingLiveness liveness;
    private final String instanceId;
    private final Duration retention;
    private final RequestDecoder decoder;
    private final RequestValidator validator;
    private final String resultsTopic;
    private final Reply.Wire outcomes;

    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, VersionedValue> kv;
    private DedupLog dedup;

    RequestProcessor(TopologySettings settings) {
        this.liveness = settings.liveness();
        this.instanceId = settings.instanceId();
        this.retention = settings.dedupRetention();
        this.decoder = new RequestDecoder(settings.registry());
        this.validator = new RequestValidator(settings.requestPartitions());
        this.resultsTopic = settings.topics().results();
        this.outcomes = new Reply.Wire(settings.registry());
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.kv = context.getStateStore(StoreNames.KV);
        this.dedup = new DedupLog(context.getStateStore(StoreNames.DEDUP), retention);
        context.schedule(LIVENESS_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> liveness.tick());
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        liveness.tick();
        RecordMetadata source = context.recordMetadata()
                .orElseThrow(() -> new IllegalStateException("a request record without topic, partition and offset"));
        long nowMs = context.currentSystemTimeMs();

        RequestDecoder.Decoding decoding = decoder.decode(source.topic(), record.key(), record.value());
        if (decoding instanceof RequestDecoder.Undecodable bad) {
            deadLetter(record, source, bad.reason(), bad.detail(), nowMs);
            return;
        }
        RequestDecoder.Decoded decoded = (RequestDecoder.Decoded) decoding;
        List<Request> requests = decoded.requests();
        if (!decoded.batch()) {
            processOne(record, source, requests.get(0), 0, 0, nowMs);
            return;
        }
        int count = requests.size();
        if (count == 0) {
            deadLetter(record, source, DeadLetterReason.MALFORMED_REQUEST, "the batch holds no requests", nowMs);
            return;
        }
        if (count > Limits.MAX_BATCH_REQUESTS) {
            String detail = "the batch holds " + count + " requests, more than the limit of "
                    + Limits.MAX_BATCH_REQUESTS;
            deadLetter(record, source, DeadLetterReason.MALFORMED_REQUEST, detail, nowMs);
            for (Request request : requests) {
                reply(record, request, invalidRequest(request, detail, null, nowMs));
            }
            return;
        }
        for (int i = 0; i < count; i++) {
            processOne(record, source, requests.get(i), i, count, nowMs);
        }
    }

    /**
     * One request, alone in its record ({@code batchSize} 0) or request {@code index} of a batch
     * (said in its dead letter, whose original bytes are the whole record's); the same steps either way.
     */
    private void processOne(Record<byte[], byte[]> record, RecordMetadata source, Request request, int index,
                            int batchSize, long nowMs) {
        Optional<RequestValidator.Invalid> invalid = validator.validate(request, source.partition());
        if (invalid.isPresent()) {
            RequestValidator.Invalid why = invalid.get();
            if (why.deadLettered()) {
                String detail = batchSize == 0 ? why.detail() : "request " + index + " of a batch of " + batchSize
                        + " (request id " + Text.quote(request.getRequestId()) + "): " + why.detail();
                deadLetter(record, source, why.deadLetterReason(), detail, nowMs);
            }
            if (!why.answerable()) {
                return;
            }
            reply(record, request, invalidRequest(request, why.detail(), why.failedOp(), nowMs));
            return;
        }

        byte[] first = dedup.find(request.getRequestId(), nowMs);
        if (first != null) {
            reply(record, request, Reply.encoded(request.getReplyTo(), first));
            return;
        }

        Outcome outcome = apply(record, request, source, nowMs);
        // Encoded once, for the results topic; the dedup store keeps the same bytes for retries.
        byte[] encoded = outcomes.encode(resultsTopic, outcome);
        dedup.remember(request.getRequestId(), outcome.getTimestampMs(), encoded);
        reply(record, request, Reply.encoded(request.getReplyTo(), encoded));
    }

    private static Outcome invalidRequest(Request request, String detail, Integer failedOp, long nowMs) {
        return Outcome.newBuilder()
                .setRequestId(request.getRequestId())
                .setStatus(OutcomeStatus.REJECTED)
                .setReason(RejectReason.INVALID_REQUEST)
                .setFailedOp(failedOp)
                .setDetail(detail)
                .setTimestampMs(nowMs)
                .build();
    }

    private Outcome apply(Record<byte[], byte[]> record, Request request, RecordMetadata source, long nowMs) {
        OnePhaseCommit.Decision decision = OnePhaseCommit.decide(request.getOps(), kv::get,
                request.getRequestId(), source.partition(), source.offset(), nowMs);
        if (decision instanceof OnePhaseCommit.Reject reject) {
            return Outcome.newBuilder()
                    .setRequestId(request.getRequestId())
                    .setStatus(OutcomeStatus.REJECTED)
                    .setReason(reject.reason())
                    .setFailedOp(reject.failedOp())
                    .setDetail(reject.detail())
                    .setTimestampMs(nowMs)
                    .build();
        }
        OnePhaseCommit.Commit commit = (OnePhaseCommit.Commit) decision;
        List<OnePhaseCommit.Write> writes = commit.writes();
        for (OnePhaseCommit.Write write : writes) {
            kv.put(write.key(), write.state());
        }
        for (OnePhaseCommit.Write write : writes) {
            ChangeEvent change = new ChangeEvent(write.key(), write.state().getValue(), write.state().getVersion(),
                    request.getRequestId(), null, nowMs);
            context.forward(new Record<>(write.key(), change, record.timestamp()), RequestTopology.CHANGES_SINK);
        }
        return Outcome.newBuilder()
                .setRequestId(request.getRequestId())
                .setStatus(OutcomeStatus.COMMITTED)
                .setVersions(commit.versions())
                .setTimestampMs(nowMs)
                .build();
    }

    private void reply(Record<byte[], byte[]> record, Request request, Outcome outcome) {
        reply(record, request, Reply.to(request.getReplyTo(), outcome));
    }

    /** The reply to {@code request}, keyed by its request id (which its outcome carries too). */
    private void reply(Record<byte[], byte[]> record, Request request, Reply reply) {
        context.forward(new Record<>(request.getRequestId(), reply, record.timestamp()),
                RequestTopology.RESULTS_SINK);
    }

    private void deadLetter(Record<byte[], byte[]> record, RecordMetadata source, DeadLetterReason reason,
                            String detail, long nowMs) {
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
