package io.kvpipe.app.topology;

import io.kvpipe.avro.KeyVersion;
import io.kvpipe.avro.Lock;
import io.kvpipe.avro.Operation;
import io.kvpipe.avro.ProtocolMessage;
import io.kvpipe.avro.RejectReason;
import io.kvpipe.avro.ReplyTo;
import io.kvpipe.avro.VersionedValue;
import io.kvpipe.avro.Vote;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One partition's side of a cross-partition transaction: prepare its keys (validate, lock, stage
 * the writes) and vote; on the decision, apply or drop the staged writes and release the locks.
 * A prepare comes from the coordinator's PREPARE, or from this partition's copy of the request when
 * the client sent the transaction to every partition it involves; both are handled alike.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li><b>No-wait locking.</b> A key locked by another transaction makes the vote NO
 *       ({@code LOCK_CONFLICT}); nothing ever waits for a lock, so there is no deadlock.</li>
 *   <li><b>A yes vote is a promise.</b> The keys stay locked, the staged writes kept in the
 *       changelogged {@link StoreNames#LOCKS} store, until the decision comes (which names the
 *       keys, so the locks are all the participant needs to keep). The participant never
 *       decides alone: the coordinator always decides, by the votes or by its deadline, and it is a
 *       replicated task that resumes elsewhere after a crash.</li>
 *   <li><b>A no vote ends it here.</b> Nothing is locked; the coordinator sends no decision to a
 *       partition that voted no.</li>
 *   <li><b>Idempotent.</b> A repeated prepare gets the same yes vote again while undecided (rebuilt
 *       from its locks); a repeated decision changes nothing. A decision that finds no lock of its
 *       transaction (it came before its prepare or copy) is remembered
 *       ({@link StoreNames#DECISIONS}), so a prepare that comes after it locks nothing. A decision
 *       that releases locks is not remembered: a prepare repeated after it votes again, and the
 *       coordinator, which answers a yes vote for a decided transaction with an abort, drops it
 *       again. So the memory holds only the rare decisions that overtook their prepare. A prepare
 *       that arrives after its deadline votes NO ({@code TIMEOUT}).</li>
 * </ul>
 * The coordinator's partition is a participant too, called directly for its own keys
 * ({@link #prepareOwn}, {@link #decideOwn}): the coordinator's {@link StoreNames#TXNS} entry
 * already makes its steps happen once, so they skip the memory of decisions. That entry, which
 * holds the request, also keeps their locks durable: they are only held in memory, not written
 * to {@link StoreNames#LOCKS} (a record at the prepare and a tombstone at the decision saved per
 * transaction), and the coordinator takes them again when its task starts, by the same prepare at
 * the same time against the same values (a locked key cannot change).
 */
final class Participant {

    private final int partition;
    private final KeyValueStore<String, VersionedValue> kv;
    /** Where this partition's writes go, so that the step's end can put the applied offset after them. */
    private final AppliedOffset applied;
    private final InFlightStore<Lock> locks;
    private final RememberedDecisions decisions;
    private final TaskOutput output;

    Participant(int partition, KeyValueStore<String, VersionedValue> kv, AppliedOffset applied, InFlightStore<Lock> locks,
                RememberedDecisions decisions, TaskOutput output) {
        this.partition = partition;
        this.kv = kv;
        this.applied = applied;
        this.locks = locks;
        this.decisions = decisions;
        this.output = output;
    }

    /**
     * Prepares this partition's share of transaction {@code transactionId}, coordinated by another
     * partition (on its PREPARE, or on this partition's copy of the request), and sends the vote to
     * the coordinator: again for a repeated prepare, nothing when a decision that overtook the
     * prepare is remembered here.
     *
     * The vote carries the deadline and {@code replyTo}: a coordinator with no record of the
     * transaction aborts it by them (see {@link Coordinator}).
     *
     * @param ops       this partition's operations, in transaction order
     * @param opIndexes each op's index in the whole transaction
     * @param replyTo   the client's reply address, from this partition's copy of the request; null
     *                  on a PREPARE
     */
    void prepare(String transactionId, String requestId, int coordinatorPartition, List<Operation> ops,
                 List<Integer> opIndexes, long deadlineMs, ReplyTo replyTo, long nowMs) {
        if (decisions.contains(transactionId, nowMs)) {
            return;
        }
        Vote vote = repeatedVote(transactionId, ops);
        if (vote == null) {
            vote = lockAndVote(transactionId, requestId, coordinatorPartition, ops, opIndexes, deadlineMs, nowMs);
            vote.setDeadlineMs(deadlineMs);
        }
        vote.setReplyTo(replyTo);
        output.protocol(new ProtocolMessage(transactionId, coordinatorPartition, coordinatorPartition, nowMs, vote));
    }

    /**
     * The coordinator's own keys: no memory of decisions, and the locks only held (see the class
     * comment). Also how the coordinator takes them again when its task starts.
     */
    Vote prepareOwn(String transactionId, List<Operation> ops, List<Integer> opIndexes, long deadlineMs, long nowMs) {
        return lockAndVote(transactionId, transactionId, partition, ops, opIndexes, deadlineMs, nowMs, locks::hold);
    }

    private Vote lockAndVote(String transactionId, String requestId, int coordinatorPartition, List<Operation> ops,
                             List<Integer> opIndexes, long deadlineMs, long nowMs) {
        return lockAndVote(transactionId, requestId, coordinatorPartition, ops, opIndexes, deadlineMs, nowMs,
                locks::put);
    }

    private Vote lockAndVote(String transactionId, String requestId, int coordinatorPartition, List<Operation> ops,
                             List<Integer> opIndexes, long deadlineMs, long nowMs, BiConsumer<String, Lock> lock) {
        if (nowMs > deadlineMs) {
            return no(RejectReason.TIMEOUT, null, "the prepare reached partition " + partition + " "
                    + (nowMs - deadlineMs) + " ms after the transaction's deadline");
        }
        for (int i = 0; i < ops.size(); i++) {
            String key = ops.get(i).getKey();
            Lock held = locks.get(key);
            if (held != null) {
                int index = opIndexes.get(i);
                return no(RejectReason.LOCK_CONFLICT, index, "op " + index + ": the key " + Text.quote(key)
                        + " is locked by transaction " + Text.quote(held.getTransactionId()));
            }
        }
        OnePhaseCommit.Decision decision = OnePhaseCommit.decide(ops, opIndexes, kv::get, requestId, transactionId,
                partition, -1L, nowMs);
        if (decision instanceof OnePhaseCommit.Reject reject) {
            return no(reject.reason(), reject.failedOp(), reject.detail());
        }
        OnePhaseCommit.Commit commit = (OnePhaseCommit.Commit) decision;
        Map<String, VersionedValue> staged = new HashMap<>();
        for (OnePhaseCommit.Write write : commit.writes()) {
            staged.put(write.key(), write.state());
        }
        for (Operation op : ops) {
            // A key that is only checked (or deleted while absent) is locked with nothing staged, so
            // that no one changes it before the decision.
            lock.accept(op.getKey(), new Lock(transactionId, coordinatorPartition, staged.get(op.getKey()), deadlineMs));
        }
        return new Vote(partition, true, null, null, null, new ArrayList<KeyVersion>(commit.versions()), null, null);
    }

    /**
     * The yes vote given already when every key of {@code ops} is locked by {@code transactionId}
     * (a repeated prepare), rebuilt from the locks; null when this is the first prepare.
     */
    private Vote repeatedVote(String transactionId, List<Operation> ops) {
        List<KeyVersion> versions = new ArrayList<>(ops.size());
        long deadlineMs = 0L;
        for (Operation op : ops) {
            Lock lock = locks.get(op.getKey());
            if (lock == null || !lock.getTransactionId().equals(transactionId)) {
                return null;
            }
            VersionedValue state = lock.getStaged() != null ? lock.getStaged() : kv.get(op.getKey());
            versions.add(new KeyVersion(op.getKey(), state == null ? 0L : state.getVersion(), partition, -1L));
            deadlineMs = lock.getDeadlineMs();
        }
        // The deadline the first prepare locked with, not the repeat's (a later one).
        return new Vote(partition, true, null, null, null, versions, deadlineMs, null);
    }

    private Vote no(RejectReason reason, Integer failedOp, String detail) {
        return new Vote(partition, false, reason, failedOp, detail, List.of(), null, null);
    }

    /**
     * Applies ({@code commit}) or drops the staged writes of {@code transactionId} on {@code keys}
     * and releases their locks; publishes a change event per applied write. A repeated decision
     * does nothing.
     */
    void decide(String transactionId, boolean commit, List<String> keys, long nowMs, long timestamp) {
        // Only a decision that finds no lock is remembered (see the class comment): one that
        // releases locks is the transaction's first here, and needs no memory.
        if (!release(transactionId, commit, keys, nowMs, timestamp) && !decisions.contains(transactionId, nowMs)) {
            decisions.remember(transactionId, commit, nowMs);
        }
    }

    /** The coordinator's own keys: no memory of decisions (see the class comment). */
    void decideOwn(String transactionId, boolean commit, List<String> keys, long nowMs, long timestamp) {
        release(transactionId, commit, keys, nowMs, timestamp);
    }

    /** Whether any of {@code keys} was locked by {@code transactionId} (and is released now). */
    private boolean release(String transactionId, boolean commit, List<String> keys, long nowMs, long timestamp) {
        boolean released = false;
        for (String key : keys) {
            Lock lock = locks.get(key);
            if (lock == null || !lock.getTransactionId().equals(transactionId)) {
                continue; // never prepared here (a no vote, or the decision came first)
            }
            VersionedValue staged = lock.getStaged();
            if (commit && staged != null) {
                // The constructor, not a builder, which validates and deep-copies every field.
                VersionedValue committed = new VersionedValue(staged.getValue(), staged.getVersion(),
                        staged.getRequestId(), staged.getTransactionId(), nowMs);
                applied.put(key, committed);
                output.change(key, committed, timestamp);
            }
            locks.delete(key);
            released = true;
        }
        return released;
    }

    /** Whether {@code transactionId} holds the lock of every one of {@code keys}. */
    boolean holdsLocks(String transactionId, List<String> keys) {
        for (String key : keys) {
            if (!transactionId.equals(lockHolder(key))) {
                return false;
            }
        }
        return true;
    }

    /** The transaction holding {@code key}'s lock, or null. */
    String lockHolder(String key) {
        Lock lock = locks.get(key);
        return lock == null ? null : lock.getTransactionId();
    }
}
