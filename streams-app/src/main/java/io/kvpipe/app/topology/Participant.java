package io.kvpipe.app.topology;

import io.kvpipe.avro.KeyVersion;
import io.kvpipe.avro.Lock;
import io.kvpipe.avro.Operation;
import io.kvpipe.avro.Participation;
import io.kvpipe.avro.RejectReason;
import io.kvpipe.avro.VersionedValue;
import io.kvpipe.avro.Vote;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One partition's side of a cross-partition transaction: prepare its keys (validate, lock, stage
 * the writes) and vote; on the decision, apply or drop the staged writes and release the locks.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li><b>No-wait locking.</b> A key locked by another transaction makes the vote NO
 *       ({@code LOCK_CONFLICT}); nothing ever waits for a lock, so there is no deadlock.</li>
 *   <li><b>A yes vote is a promise.</b> The keys stay locked, the staged writes kept in the
 *       changelogged {@link StoreNames#LOCKS} store, until the decision comes. The participant never
 *       decides alone: the coordinator always decides, by the votes or by its deadline, and it is a
 *       replicated task that resumes elsewhere after a crash.</li>
 *   <li><b>A no vote ends it here.</b> Nothing is locked, and the transaction is remembered as aborted.</li>
 *   <li><b>Idempotent.</b> A repeated prepare gets the same yes vote again while undecided and
 *       nothing once decided; a repeated decision changes nothing; a decision for a transaction never
 *       prepared here is remembered, so a prepare that comes after it locks nothing. A prepare
 *       that arrives after its deadline votes NO ({@code TIMEOUT}).</li>
 * </ul>
 * The coordinator's partition is a participant too, called directly for its own keys.
 */
final class Participant {

    private static final byte[] COMMITTED = {1};
    private static final byte[] ABORTED = {0};

    private final int partition;
    private final KeyValueStore<String, VersionedValue> kv;
    private final KeyValueStore<String, Lock> locks;
    private final KeyValueStore<String, Participation> participations;
    private final DedupLog decisions;
    private final TaskOutput output;

    Participant(int partition, KeyValueStore<String, VersionedValue> kv, KeyValueStore<String, Lock> locks,
                KeyValueStore<String, Participation> participations, DedupLog decisions, TaskOutput output) {
        this.partition = partition;
        this.kv = kv;
        this.locks = locks;
        this.participations = participations;
        this.decisions = decisions;
        this.output = output;
    }

    /** What a prepare comes to. */
    sealed interface Prepared permits Voted, AlreadyDecided {}

    /** Send {@code vote} to the coordinator (again, for a repeated prepare). */
    record Voted(Vote vote) implements Prepared {}

    /** The transaction is decided here already: send nothing. */
    record AlreadyDecided() implements Prepared {}

    /**
     * Prepares this partition's share of transaction {@code transactionId}.
     *
     * @param ops       this partition's operations, in transaction order
     * @param opIndexes each op's index in the whole transaction
     */
    Prepared prepare(String transactionId, String requestId, int coordinatorPartition, List<Operation> ops,
                     List<Integer> opIndexes, long deadlineMs, long nowMs) {
        if (decisions.find(transactionId, nowMs) != null) {
            return new AlreadyDecided();
        }
        Participation earlier = participations.get(transactionId);
        if (earlier != null) {
            return new Voted(earlier.getVote());
        }
        if (nowMs > deadlineMs) {
            return refuse(transactionId, RejectReason.TIMEOUT, null, "the prepare reached partition " + partition
                    + " " + (nowMs - deadlineMs) + " ms after the transaction's deadline", nowMs);
        }
        for (int i = 0; i < ops.size(); i++) {
            String key = ops.get(i).getKey();
            Lock held = locks.get(key);
            if (held != null && !held.getTransactionId().equals(transactionId)) {
                int index = opIndexes.get(i);
                return refuse(transactionId, RejectReason.LOCK_CONFLICT, index, "op " + index + ": the key "
                        + Text.quote(key) + " is locked by transaction " + Text.quote(held.getTransactionId()), nowMs);
            }
        }
        OnePhaseCommit.Decision decision = OnePhaseCommit.decide(ops, opIndexes, kv::get, requestId, transactionId,
                partition, -1L, nowMs);
        if (decision instanceof OnePhaseCommit.Reject reject) {
            return refuse(transactionId, reject.reason(), reject.failedOp(), reject.detail(), nowMs);
        }
        OnePhaseCommit.Commit commit = (OnePhaseCommit.Commit) decision;
        Map<String, VersionedValue> staged = new HashMap<>();
        for (OnePhaseCommit.Write write : commit.writes()) {
            staged.put(write.key(), write.state());
        }
        List<String> keys = new ArrayList<>(ops.size());
        for (Operation op : ops) {
            keys.add(op.getKey());
            // A key that is only checked (or deleted while absent) is locked with nothing staged, so
            // that no one changes it before the decision.
            locks.put(op.getKey(), new Lock(transactionId, coordinatorPartition, staged.get(op.getKey()), deadlineMs));
        }
        Vote yes = new Vote(partition, true, null, null, null, new ArrayList<KeyVersion>(commit.versions()));
        participations.put(transactionId,
                new Participation(transactionId, coordinatorPartition, keys, yes, deadlineMs, nowMs));
        return new Voted(yes);
    }

    private Voted refuse(String transactionId, RejectReason reason, Integer failedOp, String detail, long nowMs) {
        decisions.remember(transactionId, nowMs, ABORTED);
        return new Voted(new Vote(partition, false, reason, failedOp, detail, List.of()));
    }

    /**
     * Applies ({@code commit}) or drops the staged writes of {@code transactionId} and releases its
     * locks; publishes a change event per applied write. A repeated decision does nothing.
     */
    void decide(String transactionId, boolean commit, long nowMs, long timestamp) {
        if (decisions.find(transactionId, nowMs) != null) {
            return;
        }
        decisions.remember(transactionId, nowMs, commit ? COMMITTED : ABORTED);
        Participation participation = participations.get(transactionId);
        if (participation == null) {
            return;
        }
        for (String key : participation.getKeys()) {
            Lock lock = locks.get(key);
            if (lock == null || !lock.getTransactionId().equals(transactionId)) {
                continue;
            }
            VersionedValue staged = lock.getStaged();
            if (commit && staged != null) {
                VersionedValue applied = VersionedValue.newBuilder(staged).setUpdatedAtMs(nowMs).build();
                kv.put(key, applied);
                output.change(key, applied, timestamp);
            }
            locks.delete(key);
        }
        participations.delete(transactionId);
    }

    /** The transaction holding {@code key}'s lock, or null. */
    String lockHolder(String key) {
        Lock lock = locks.get(key);
        return lock == null ? null : lock.getTransactionId();
    }
}
