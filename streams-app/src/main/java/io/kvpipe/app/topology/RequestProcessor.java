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
 * step, then publish change events and the outcome. See {@link RequestTopology} for the promise.
 */
final class RequestProcessor implements Processor<byte[], byte[], String, Object> {

    /** How often the wall-clock punctuator proves the thread is alive. */
    static final Duration LIVENESS_INTERVAL = Duration.ofMillis(100);
    /** How often expired outcomes are forgotten, and at most how many per run. */
    static final Duration PURGE_INTERVAL = Duration.ofMillis(250);
    static final int PURGE_BATCH = 5_000;

    private final ProcessingLiveness liveness;
    private final String instanceId;
    private final long retentionMs;
    private final RequestDecoder decoder;
    private final RequestValidator validator;

    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, VersionedValue> kv;
    private DedupLog dedup;

    RequestProcessor(TopologySettings settings) {
        this.liveness = settings.liveness();
        this.instanceId = settings.instanceId();
        this.retentionMs = settings.dedupRetention().toMillis();
        this.decoder = new RequestDecoder(settings.registry());
        this.validator = new RequestValidator(settings.requestPartitions());
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.kv = context.getStateStore(StoreNames.KV);
        this.dedup = new DedupLog(context.getStateStore(StoreNames.DEDUP), context.getStateStore(DedupLog.EXPIRY_STORE));
        context.schedule(LIVENESS_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> liveness.tick());
        context.schedule(PURGE_INTERVAL, PunctuationType.WALL_CLOCK_TIME,
                now -> dedup.forgetBefore(now - retentionMs, PURGE_BATCH));
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
        Request request = ((RequestDecoder.Decoded) decoding).request();

        Optional<RequestValidator.Invalid> invalid = validator.validate(request, source.partition());
        if (invalid.isPresent()) {
            RequestValidator.Invalid why = invalid.get();
            if (why.deadLettered()) {
                deadLetter(record, source, why.deadLetterReason(), why.detail(), nowMs);
            }
            reply(record, request, Outcome.newBuilder()
                    .setRequestId(request.getRequestId())
                    .setStatus(OutcomeStatus.REJECTED)
                    .setReason(RejectReason.INVALID_REQUEST)
                    .setFailedOp(why.failedOp())
                    .setDetail(why.detail())
                    .setTimestampMs(nowMs)
                    .build());
            return;
        }

        Outcome first = dedup.find(request.getRequestId());
        if (first != null) {
            reply(record, request, first);
            return;
        }

        Outcome outcome = apply(record, request, source, nowMs);
        dedup.remember(outcome);
        reply(record, request, outcome);
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
        context.forward(new Record<>(outcome.getRequestId(), Reply.to(request.getReplyTo(), outcome), record.timestamp()),
                RequestTopology.RESULTS_SINK);
    }

    private void deadLetter(Record<byte[], byte[]> record, RecordMetadata source, DeadLetterReason reason,
                            String detail, long nowMs) {
        DeadLetter letter = DeadLetter.newBuilder()
                .setSourceTopic(source.topic())
                .setSourcePartition(source.partition())
                .setSourceOffset(source.offset())
                .setReason(reason)
                .setDetail(detail)
                .setOriginalKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                .setOriginalValue(record.value() == null ? null : ByteBuffer.wrap(record.value()))
                .setInstanceId(instanceId)
                .setTimestampMs(nowMs)
                .build();
        context.forward(new Record<>(deadLetterKey(record.key(), source), letter, record.timestamp()),
                RequestTopology.DEAD_LETTERS_SINK);
    }

    /** The original key where it is text; otherwise where the record came from. */
    static String deadLetterKey(byte[] originalKey, RecordMetadata source) {
        if (originalKey != null) {
            try {
                return Text.decodeUtf8Strictly(originalKey);
            } catch (CharacterCodingException notText) {
                // fall through
            }
        }
        return source.topic() + "-" + source.partition() + "@" + source.offset();
    }
}
