package io.kvpipe.app.topology;

import io.kvpipe.app.heartbeat.ProcessingLiveness;
import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * The one processor of a task: it reads partition p of the requests topic and partition p of the
 * protocol topic, and hands each record to the {@link RequestHandler} or the
 * {@link ProtocolHandler}, which share the task's stores and roles ({@link TaskState}). One
 * processor rather than two so that the coordinator's in-memory deadline index is one per task.
 *
 * <p>A step that wrote to the kv store ends by putting its {@link AppliedOffset} after its writes.
 *
 * <p>Every record, and a wall-clock punctuation every 100 ms, ticks the {@link ProcessingLiveness};
 * the same punctuation aborts the coordinator's transactions past their deadline. The protocol
 * messages a step sends leave at its end, batched per target partition, and so do batched outcomes,
 * per client ({@link TaskOutput#flush}).
 */
final class TaskProcessor implements Processor<byte[], byte[], String, Object> {

    /** How often the wall-clock punctuation proves the thread is alive and looks for deadlines. */
    static final Duration PUNCTUATION_INTERVAL = Duration.ofMillis(100);

    private final TopologySettings settings;
    private final ProcessingLiveness liveness;
    private final String protocolTopic;

    private ProcessorContext<String, Object> context;
    private TaskOutput output;
    private AppliedOffset applied;
    private RequestHandler requests;
    private ProtocolHandler protocol;
    /** Whether this start's first punctuation gave the window stores a segment (see DedupLog#keepASegment). */
    private boolean segmentsKept;

    TaskProcessor(TopologySettings settings) {
        this.settings = settings;
        this.liveness = settings.liveness();
        this.protocolTopic = settings.topics().txnProtocol();
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        TaskState state = TaskState.open(context, settings);
        this.output = state.output();
        this.applied = state.applied();
        this.requests = new RequestHandler(settings, state);
        this.protocol = new ProtocolHandler(settings, state);
        this.segmentsKept = false;
        context.schedule(PUNCTUATION_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> {
            liveness.tick();
            if (!segmentsKept) {
                // Once per start, in a step (not in init): see DedupLog#keepASegment.
                state.decisions().keepASegment(now);
                segmentsKept = true;
            }
            // At the first punctuation and every interval after it: the unbegun aborts' marker and
            // the dedup store's segment keeper, before any deadline can abort on votes alone.
            state.unbegun().keepMarker(now);
            output.discard();
            state.coordinator().expire(now);
            applied.endStep(-1L, now);
            output.flush(now);
        });
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        liveness.tick();
        output.discard();
        RecordMetadata source = context.recordMetadata()
                .orElseThrow(() -> new IllegalStateException("a record without topic, partition and offset"));
        long nowMs = context.currentSystemTimeMs();
        if (source.topic().equals(protocolTopic)) {
            protocol.handle(record, source, nowMs);
            applied.endStep(-1L, nowMs);
        } else {
            requests.handle(record, source, nowMs);
            applied.endStep(source.offset(), nowMs);
        }
        output.flush(record.timestamp());
    }

    /** The task leaves this thread: what its coordinator held in memory goes with it. */
    @Override
    public void close() {
        if (context != null) {
            settings.heldTransactions().releasePartition(context.taskId().partition());
        }
    }
}
