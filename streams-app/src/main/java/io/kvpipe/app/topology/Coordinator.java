package io.kvpipe.app.topology;

import io.kvpipe.avro.Decision;
import io.kvpipe.avro.KeyVersion;
import io.kvpipe.avro.Operation;
import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.OutcomeStatus;
import io.kvpipe.avro.Prepare;
import io.kvpipe.avro.ProtocolMessage;
import io.kvpipe.avro.RejectReason;
import io.kvpipe.avro.Request;
import io.kvpipe.avro.TransactionPhase;
import io.kvpipe.avro.TransactionState;
import io.kvpipe.avro.Vote;
import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Coordinates a cross-partition transaction from the partition of its first key (the request's
 * partition): two-phase commit over the protocol topic.
 *
 * <ol>
 *   <li><b>Begin</b> (the request): prepare the coordinator's own keys directly; a no vote aborts at
 *       once and nothing is sent. Otherwise store the transaction ({@link StoreNames#TXNS}, phase
 *       {@code PREPARING}, deadline = now + the request's timeout) and send PREPARE to each other
 *       partition involved.</li>
 *   <li><b>Votes</b>: a no vote aborts with its reason and failing op; when every partition has
 *       voted yes, commit. A vote for a transaction no longer stored (decided), from a partition not
 *       involved, or a second vote from one partition is ignored; a vote processed after the
 *       deadline aborts ({@code TIMEOUT}) instead of counting.</li>
 *   <li><b>Deadline</b>: a wall-clock punctuation aborts every stored transaction past its
 *       deadline ({@code TIMEOUT}, naming the partitions that did not vote), found through an
 *       in-memory index of the deadlines rebuilt from the store when the task starts.</li>
 *   <li><b>Decide</b>, in one processing step: apply or drop the coordinator's own staged writes,
 *       send DECISION to every other partition involved, remember the outcome for retries and send it
 *       to the client, and remove the transaction from {@link StoreNames#TXNS}. Under exactly-once
 *       these effects commit together, so a DECISION is never sent without the decision being
 *       stored (the outcome in the dedup store), and never lost: a crashed coordinator's task resumes
 *       elsewhere from its changelogs and goes on where it stopped.</li>
 * </ol>
 * Committed outcomes list each op's key with its new version; the offset is -1 (the writes of
 * other partitions apply when they process the decision, at an offset not known yet), so a read
 * that must see them waits for the version.
 */
final class Coordinator {

    private final int partition;
    private final int partitionCount;
    private final KeyValueStore<String, TransactionState> txns;
    private final Participant self;
    private final TaskOutput output;
    /**
     * The undecided transactions by deadline: an in-memory index of {@link StoreNames#TXNS}, rebuilt
     * from it when the task starts, so that the deadline check touches only what is due instead of
     * reading every transaction in flight ten times a second.
     */
    private final NavigableSet<Deadline> deadlines = new TreeSet<>();

    private record Deadline(long deadlineMs, String transactionId) implements Comparable<Deadline> {
        private static final Comparator<Deadline> ORDER =
                Comparator.comparingLong(Deadline::deadlineMs).thenComparing(Deadline::transactionId);

        @Override
        public int compareTo(Deadline other) {
            return ORDER.compare(this, other);
        }
    }

    /** Over the task's restored stores; reads {@link StoreNames#TXNS} once to index the deadlines. */
    Coordinator(int partition, int partitionCount, KeyValueStore<String, TransactionState> txns, Participant self,
                TaskOutput output) {
        this.partition = partition;
        this.partitionCount = partitionCount;
        this.txns = txns;
        this.self = self;
        this.output = output;
        try (KeyValueIterator<String, TransactionState> all = txns.all()) {
            while (all.hasNext()) {
                KeyValue<String, TransactionState> next = all.next();
                deadlines.add(new Deadline(next.value.getDeadlineMs(), next.key));
            }
        }
    }

    /** Whether {@code requestId} is a transaction in flight here (a repeat of it must wait for its outcome). */
    boolean inFlight(String requestId) {
        return txns.get(requestId) != null;
    }

    /** Starts the validated cross-partition transaction {@code request}, whose first key is this partition's. */
    void begin(Request request, long deadlineMs, long nowMs, long timestamp) {
        String id = request.getRequestId();
        Map<Integer, List<Integer>> indexesByPartition = indexesByPartition(request.getOps());
        List<Integer> local = indexesByPartition.getOrDefault(partition, List.of());
        Vote own = self.prepareOwn(id, opsAt(request, local), local, deadlineMs, nowMs);
        if (!own.getYes()) {
            output.answer(request, Outcomes.aborted(request, own.getReason(), own.getFailedOp(), own.getDetail(), nowMs),
                    timestamp);
            return;
        }
        List<Integer> participants = new ArrayList<>(indexesByPartition.keySet());
        List<Vote> votes = new ArrayList<>(List.of(own));
        txns.put(id, new TransactionState(id, request, TransactionPhase.PREPARING, participants, votes, deadlineMs,
                null, null, nowMs, null));
        deadlines.add(new Deadline(deadlineMs, id));
        for (Map.Entry<Integer, List<Integer>> share : indexesByPartition.entrySet()) {
            int target = share.getKey();
            if (target != partition) {
                Prepare prepare = new Prepare(opsAt(request, share.getValue()), share.getValue(), deadlineMs, id);
                output.protocol(new ProtocolMessage(id, partition, target, nowMs, prepare));
            }
        }
    }

    /** A participant's vote on {@code transactionId}. */
    void onVote(String transactionId, Vote vote, long nowMs, long timestamp) {
        TransactionState state = txns.get(transactionId);
        if (state == null) {
            return; // decided already: the late or repeated vote changes nothing
        }
        int from = vote.getParticipantPartition();
        boolean involved = state.getParticipants().contains(from);
        boolean counted = state.getVotes().stream().anyMatch(v -> v.getParticipantPartition() == from);
        if (!involved || counted) {
            return;
        }
        if (nowMs > state.getDeadlineMs()) {
            abort(state, RejectReason.TIMEOUT, null, "the vote of partition " + from + " came "
                    + (nowMs - state.getDeadlineMs()) + " ms after the deadline", nowMs, timestamp);
            return;
        }
        if (!vote.getYes()) {
            abort(state, vote.getReason() == null ? RejectReason.OTHER : vote.getReason(), vote.getFailedOp(),
                    vote.getDetail(), nowMs, timestamp);
            return;
        }
        List<Vote> votes = new ArrayList<>(state.getVotes());
        votes.add(vote);
        state.setVotes(votes);
        if (state.getVotes().size() == state.getParticipants().size()) {
            commit(state, nowMs, timestamp);
        } else {
            txns.put(transactionId, state);
        }
    }

    /** Aborts every transaction past its deadline at {@code nowMs}. */
    void expire(long nowMs) {
        while (!deadlines.isEmpty() && nowMs > deadlines.first().deadlineMs()) {
            TransactionState state = txns.get(deadlines.first().transactionId());
            if (state == null) {
                deadlines.pollFirst(); // decided meanwhile (removed from the index then too)
                continue;
            }
            long timeoutMs = state.getDeadlineMs() - state.getStartedAtMs();
            abort(state, RejectReason.TIMEOUT, null, "no vote from partition(s) " + missingVotes(state) + " within "
                    + timeoutMs + " ms", nowMs, nowMs);
        }
        output.flushProtocol(nowMs);
    }

    private void commit(TransactionState state, long nowMs, long timestamp) {
        String id = state.getTransactionId();
        decide(state, true, nowMs, timestamp);
        Map<String, KeyVersion> byKey = new HashMap<>();
        for (Vote vote : state.getVotes()) {
            for (KeyVersion version : vote.getVersions()) {
                byKey.put(version.getKey(), version);
            }
        }
        List<KeyVersion> versions = new ArrayList<>();
        for (Operation op : state.getRequest().getOps()) {
            versions.add(byKey.get(op.getKey()));
        }
        Outcome outcome = Outcome.newBuilder()
                .setRequestId(id)
                .setStatus(OutcomeStatus.COMMITTED)
                .setTransactionId(id)
                .setVersions(versions)
                .setTimestampMs(nowMs)
                .build();
        output.answer(state.getRequest(), outcome, timestamp);
        forget(state);
    }

    private void abort(TransactionState state, RejectReason reason, Integer failedOp, String detail, long nowMs,
                       long timestamp) {
        String id = state.getTransactionId();
        decide(state, false, nowMs, timestamp);
        output.answer(state.getRequest(), Outcomes.aborted(state.getRequest(), reason, failedOp, detail, nowMs),
                timestamp);
        forget(state);
    }

    private void forget(TransactionState state) {
        txns.delete(state.getTransactionId());
        deadlines.remove(new Deadline(state.getDeadlineMs(), state.getTransactionId()));
    }

    /**
     * Applies or drops the coordinator's own staged writes, and sends DECISION, naming its keys, to
     * every other partition involved, whatever it voted: a repeat does nothing there.
     */
    private void decide(TransactionState state, boolean commit, long nowMs, long timestamp) {
        String id = state.getTransactionId();
        Map<Integer, List<String>> keys = keysByPartition(state.getRequest().getOps());
        self.decideOwn(id, commit, keys.getOrDefault(partition, List.of()), nowMs, timestamp);
        for (int target : state.getParticipants()) {
            if (target != partition) {
                output.protocol(new ProtocolMessage(id, partition, target, nowMs,
                        new Decision(commit, keys.getOrDefault(target, List.of()))));
            }
        }
    }

    private static List<Integer> missingVotes(TransactionState state) {
        List<Integer> missing = new ArrayList<>(state.getParticipants());
        for (Vote vote : state.getVotes()) {
            missing.remove(Integer.valueOf(vote.getParticipantPartition()));
        }
        return missing;
    }

    /** Op indexes grouped by the partition owning the op's key, partitions in ascending order. */
    private Map<Integer, List<Integer>> indexesByPartition(List<Operation> ops) {
        Map<Integer, List<Integer>> byPartition = new TreeMap<>();
        for (int i = 0; i < ops.size(); i++) {
            int owner = ConsistentHashPartitioner.partitionFor(ops.get(i).getKey(), partitionCount);
            byPartition.computeIfAbsent(owner, p -> new ArrayList<>()).add(i);
        }
        return byPartition;
    }

    private Map<Integer, List<String>> keysByPartition(List<Operation> ops) {
        Map<Integer, List<String>> byPartition = new HashMap<>();
        indexesByPartition(ops).forEach((owner, indexes) ->
                byPartition.put(owner, indexes.stream().map(i -> ops.get(i).getKey()).toList()));
        return byPartition;
    }

    private static List<Operation> opsAt(Request request, List<Integer> indexes) {
        return indexes.stream().map(request.getOps()::get).collect(Collectors.toList());
    }
}
