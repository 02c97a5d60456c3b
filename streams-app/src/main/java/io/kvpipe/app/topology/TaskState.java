package io.kvpipe.app.topology;

import io.kvpipe.avro.Lock;
import io.kvpipe.avro.TransactionState;
import io.kvpipe.avro.VersionedValue;
import io.kvpipe.schemas.serde.BatchValueWriter;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A task's stores and the roles built on them, as the task's one processor ({@link TaskProcessor})
 * opens them when it starts.
 */
record TaskState(KeyValueStore<String, VersionedValue> kv, AppliedOffset applied, DedupLog dedup,
                 RememberedDecisions decisions, UnbegunAborts unbegun, TaskOutput output, Participant participant,
                 Coordinator coordinator) {

    static TaskState open(ProcessorContext<String, Object> context, TopologySettings settings) {
        int partition = context.taskId().partition();
        KeyValueStore<String, VersionedValue> kv = context.getStateStore(StoreNames.KV);
        AppliedOffset applied = new AppliedOffset(kv);
        InFlightStore<Lock> locks = new InFlightStore<>(context.getStateStore(StoreNames.LOCKS));
        InFlightStore<TransactionState> txns = new InFlightStore<>(context.getStateStore(StoreNames.TXNS));
        DedupLog dedup = new DedupLog(context.getStateStore(StoreNames.DEDUP), settings.dedupRetention());
        RememberedDecisions decisions = new RememberedDecisions(context.getStateStore(StoreNames.DECISIONS),
                settings.decisionMemory());
        UnbegunAborts unbegun = new UnbegunAborts(context.getStateStore(StoreNames.UNBEGUN), dedup,
                settings.dedupRetention(), context.currentSystemTimeMs());
        TaskOutput output = new TaskOutput(context,
                BatchValueWriter.forOutcomes(settings.registry(), settings.topics().results(), true), dedup,
                settings.instanceId());
        Participant participant = new Participant(partition, kv, applied, locks, decisions, output);
        Coordinator coordinator = new Coordinator(partition, settings.requestPartitions(),
                settings.maxTransactionTimeout(), txns, settings.heldTransactions(), participant, unbegun, output);
        return new TaskState(kv, applied, dedup, decisions, unbegun, output, participant, coordinator);
    }
}
