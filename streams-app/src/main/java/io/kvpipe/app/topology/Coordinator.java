package io.kvpipe.app.topology;

import io.kvpipe.avro.Decision;
import io.kvpipe.avro.KeyVersion;
import io.kvpipe.avro.Operation;
import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.Prepare;
import io.kvpipe.avro.ProtocolMessage;
import io.kvpipe.avro.RejectReason;
import io.kvpipe.avro.ReplyTo;
import io.kvpipe.avro.Request;
import io.kvpipe.avro.TransactionPhase;
import io.kvpipe.avro.TransactionState;
import io.kvpipe.avro.Vote;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * Coordinates a cross-partition transaction from the partition of its first key (the request's
 * partition): two-phase commit over the protocol topic.
 *
 * <ol>
 *   <li><b>Begin</b> (the request): prepare the coordinator's own keys directly; a no vote aborts at
 *       once. Otherwise keep the transaction ({@link StoreNames#TXNS}, phase {@code PREPARING},
 *       deadline = now + the request's timeout) and send PREPARE to each other partition involved,
 *       unless the client sent the request to those partitions itself
 *       ({@code sentToParticipants}): then each participant prepares on its copy and votes without
 *       waiting for a PREPARE, which saves one commit (and one poll) before the outcome.</li>
 *   <li><b>Held, then stored</b>: a transaction whose participants prepare on their copies is only
 *       held in memory ({@link InFlightStore#hold}, shown to queries through
 *       {@link HeldTransactions}) until a participant's vote must be kept: it is written to the
 *       store when a vote is counted and others are still missing. A 2-partition transaction, whose
 *       one vote decides it, so writes no entry and no tombstone. What a failover forgets
 *       (the request, begun, no vote counted) is what the coordinator would know had it not read the
 *       request yet: a vote that comes then finds no entry, and is handled as a vote before the
 *       request (below), which aborts at the transaction's deadline and tells the client. With a
 *       PREPARE (no copies) the entry is stored at once, since those votes carry no reply address.</li>
 *   <li><b>Votes</b>: a no vote aborts with its reason and failing op; when every partition has
 *       voted yes, commit. A vote from a partition not involved, or a second vote from one
 *       partition, is ignored; a vote processed after the deadline aborts ({@code TIMEOUT}) instead
 *       of counting.</li>
 *   <li><b>Votes before the request</b> (copies only: a participant may read its copy, prepare and
 *       vote before the coordinator reads its own): kept in a {@link StoreNames#TXNS} entry without
 *       a request, a partition's later vote replacing its earlier one, counted when the request
 *       comes (a no among them aborts, and then every involved partition gets the abort). If it
 *       never comes (a client that died between its writes, or a request forgotten in a failover),
 *       the entry aborts at the deadline the first vote carries (or, for a vote without one, when
 *       the longest transaction timeout has passed since it came); the abort is remembered as the
 *       transaction's outcome and sent to the reply address the votes carry.</li>
 *   <li><b>Votes after the decision</b>: a yes vote for a transaction that has an outcome and no
 *       entry gets DECISION abort back. A commit needs every partition's yes, and every one of
 *       them got the commit when it was made, earlier on the same protocol partition than this
 *       abort; so the abort can only drop a prepare made after a decision (a repeated prepare or
 *       copy, or one that came after an abort), never undo a commit.</li>
 *   <li><b>Deadline</b>: a wall-clock punctuation aborts every stored or held transaction past its
 *       deadline ({@code TIMEOUT}, naming the partitions that did not vote), found through an
 *       in-memory index of the deadlines rebuilt from the store when the task starts.</li>
 *   <li><b>Decide</b>, in one processing step: apply or drop the coordinator's own staged writes,
 *       send DECISION to every other partition involved (but the one whose no vote aborts it: it
 *       locked nothing), remember the outcome for retries and send it
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
    /** How long votes may wait for a request that has not come: the longest timeout a request may name. */
    private final long unbegunTimeoutMs;
    private final InFlightStore<TransactionState> txns;
    private final HeldTransactions held;
    private final Participant self;
    private final UnbegunAborts unbegun;
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

    /**
     * Over the task's restored stores; indexes the deadlines of {@link StoreNames#TXNS}. What this
     * partition held before is gone, and so dropped from {@code held}.
     */
    Coordinator(int partition, int partitionCount, Duration maxTransactionTimeout,
                InFlightStore<TransactionState> txns, HeldTransactions held, Participant self, UnbegunAborts unbegun,
                TaskOutput output) {
        this.partition = partition;
        this.partitionCount = partitionCount;
        this.unbegunTimeoutMs = maxTransactionTimeout.toMillis();
        this.txns = txns;
        this.held = held;
        this.self = self;
        this.unbegun = unbegun;
        this.output = output;
        held.releasePartition(partition);
        for (TransactionState state : txns.values()) {
            deadlines.add(new Deadline(state.getDeadlineMs(), state.getTransactionId()));
            if (state.getRequest() != null) {
                relockOwn(state);
            }
        }
    }

    /**
     * Takes the locks of this partition's keys of a transaction begun before the task started
     * again: they are held in memory only (see {@link Participant}). The same prepare, at the time
     * of the first, finds the same values, as no one could change a locked key; should it not, the
     * transaction cannot commit ({@link #commit}).
     */
    private void relockOwn(TransactionState state) {
        List<Operation> ops = state.getRequest().getOps();
        List<Integer> local = TransactionShares.indexesOn(ops, partition, partitionCount);
        self.prepareOwn(state.getTransactionId(), TransactionShares.opsAt(ops, local), local, state.getDeadlineMs(),
                state.getStartedAtMs());
    }

    /** Whether {@code requestId} is a transaction in flight here (a repeat of it must wait for its outcome). */
    boolean inFlight(String requestId) {
        TransactionState state = txns.get(requestId);
        return state != null && state.getRequest() != null;
    }

    /** Starts the validated cross-partition transaction {@code request}, whose first key is this partition's. */
    void begin(Request request, long deadlineMs, long nowMs, long timestamp) {
        String id = request.getRequestId();
        Map<Integer, List<Integer>> shares = TransactionShares.indexesByPartition(request.getOps(), partitionCount);
        List<Integer> participants = new ArrayList<>(shares.keySet());
        List<Vote> votes = votesBeforeRequest(id, participants);
        TransactionState state = new TransactionState(id, request, TransactionPhase.PREPARING, participants, votes,
                deadlineMs, null, null, nowMs, null);
        Vote no = votes.stream().filter(v -> !v.getYes()).findFirst().orElse(null);
        if (no != null) {
            // Every involved partition gets the abort, the no voter too: it may have prepared on a
            // repeated copy since, and a decision that finds no lock is only remembered.
            abort(state, reasonOf(no), no.getFailedOp(), no.getDetail(), nowMs, timestamp);
            return;
        }
        List<Integer> local = shares.getOrDefault(partition, List.of());
        Vote own = self.prepareOwn(id, TransactionShares.opsAt(request.getOps(), local), local, deadlineMs, nowMs);
        if (!own.getYes()) {
            if (request.getSentToParticipants()) {
                abort(state, own, nowMs, timestamp); // the others may have prepared on their copies
            } else {
                output.answer(request, Outcomes.aborted(request, own.getReason(), own.getFailedOp(), own.getDetail(),
                        nowMs), timestamp);
                forget(state);
            }
            return;
        }
        votes.add(own);
        if (votes.size() == participants.size()) {
            commit(state, nowMs, timestamp);
            return;
        }
        if (request.getSentToParticipants() && votes.size() == 1) {
            // Only its own vote: held until a participant's vote must be kept (see the class comment).
            txns.hold(id, state);
            held.hold(partition, snapshot(state));
        } else {
            txns.put(id, state);
        }
        deadlines.add(new Deadline(deadlineMs, id));
        if (!request.getSentToParticipants()) {
            for (Map.Entry<Integer, List<Integer>> share : shares.entrySet()) {
                int target = share.getKey();
                if (target != partition) {
                    Prepare prepare = new Prepare(TransactionShares.opsAt(request.getOps(), share.getValue()),
                            share.getValue(), deadlineMs, id);
                    output.protocol(new ProtocolMessage(id, partition, target, nowMs, prepare));
                }
            }
        }
    }

    /**
     * The votes of involved partitions that came before the request (one each), taking over their
     * entry; an empty list when there were none.
     */
    private List<Vote> votesBeforeRequest(String id, List<Integer> participants) {
        TransactionState early = txns.get(id);
        List<Vote> votes = new ArrayList<>();
        if (early == null) {
            return votes;
        }
        deadlines.remove(new Deadline(early.getDeadlineMs(), id));
        for (Vote vote : early.getVotes()) {
            int from = vote.getParticipantPartition();
            if (from != partition && participants.contains(from)) {
                votes.add(vote);
            }
        }
        return votes;
    }

    /** A participant's vote on {@code transactionId}. */
    void onVote(String transactionId, Vote vote, long nowMs, long timestamp) {
        TransactionState state = txns.get(transactionId);
        if (state == null) {
            onVoteWithoutEntry(transactionId, vote, nowMs);
            return;
        }
        int from = vote.getParticipantPartition();
        if (state.getRequest() == null) {
            // A partition's later vote replaces its earlier one: a repeated copy read after the
            // lock that made it vote no was released may have prepared and voted yes.
            putVote(state, vote);
            txns.put(transactionId, state);
            return;
        }
        boolean counted = state.getVotes().stream().anyMatch(v -> v.getParticipantPartition() == from);
        if (!state.getParticipants().contains(from) || counted) {
            return;
        }
        if (nowMs > state.getDeadlineMs()) {
            abort(state, RejectReason.TIMEOUT, null, "the vote of partition " + from + " came "
                    + (nowMs - state.getDeadlineMs()) + " ms after the deadline", nowMs, timestamp);
            return;
        }
        if (!vote.getYes()) {
            abort(state, vote, nowMs, timestamp);
            return;
        }
        putVote(state, vote);
        if (state.getVotes().size() == state.getParticipants().size()) {
            commit(state, nowMs, timestamp);
        } else {
            txns.put(transactionId, state); // a counted vote is kept: stored from now on, if only held
            held.release(partition, transactionId);
        }
    }

    /** What {@link HeldTransactions} shows of a held state: a copy of its vote list, the rest shared and never changed. */
    private static TransactionState snapshot(TransactionState state) {
        return new TransactionState(state.getTransactionId(), state.getRequest(), state.getPhase(),
                state.getParticipants(), List.copyOf(state.getVotes()), state.getDeadlineMs(), null, null,
                state.getStartedAtMs(), null);
    }

    /** Sets the vote of {@code vote}'s partition in {@code state}, replacing one it gave before. */
    private static void putVote(TransactionState state, Vote vote) {
        List<Vote> votes = new ArrayList<>(state.getVotes());
        votes.removeIf(v -> v.getParticipantPartition() == vote.getParticipantPartition());
        votes.add(vote);
        state.setVotes(votes);
    }

    /** A vote for a transaction decided already, or not begun yet (see the class comment). */
    private void onVoteWithoutEntry(String transactionId, Vote vote, long nowMs) {
        if (output.remembered(transactionId, nowMs)) {
            if (vote.getYes()) {
                int from = vote.getParticipantPartition();
                output.protocol(new ProtocolMessage(transactionId, partition, from, nowMs,
                        new Decision(false, keysOf(vote))));
            }
            return;
        }
        // The transaction's own deadline, as the participant prepared it, but never beyond the longest
        // timeout on this clock (the participant's may run ahead; a vote from an older participant
        // carries none).
        long longest = nowMs + unbegunTimeoutMs;
        long deadlineMs = vote.getDeadlineMs() != null ? Math.min(vote.getDeadlineMs(), longest) : longest;
        txns.put(transactionId, new TransactionState(transactionId, null, TransactionPhase.PREPARING, List.of(),
                List.of(vote), deadlineMs, null, null, nowMs, null));
        deadlines.add(new Deadline(deadlineMs, transactionId));
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
            if (state.getRequest() == null) {
                abortUnbegun(state, timeoutMs, nowMs);
            } else {
                abort(state, RejectReason.TIMEOUT, null, "no vote from partition(s) " + missingVotes(state)
                        + " within " + timeoutMs + " ms", nowMs, nowMs);
            }
        }
    }

    /**
     * Aborts votes whose request never came (or was forgotten in a failover): DECISION abort to each
     * partition that voted, and the abort remembered as the outcome, which the request gets if it
     * comes after all, and sent to the client where a vote carries its reply address.
     */
    private void abortUnbegun(TransactionState state, long waitedMs, long nowMs) {
        String id = state.getTransactionId();
        List<Integer> voters = new ArrayList<>();
        ReplyTo replyTo = null;
        for (Vote vote : state.getVotes()) {
            // A no voter gets it too (naming no key): remembered there, it keeps a later copy from locking.
            voters.add(vote.getParticipantPartition());
            output.protocol(new ProtocolMessage(id, partition, vote.getParticipantPartition(), nowMs,
                    new Decision(false, keysOf(vote))));
            if (replyTo == null) {
                replyTo = vote.getReplyTo();
            }
        }
        Outcome aborted = Outcomes.aborted(id, RejectReason.TIMEOUT, "partition(s) " + voters + " voted, but its"
                + " coordinator, partition " + partition + ", had no record of the request by the deadline, "
                + Math.max(0, waitedMs) + " ms after the first vote came (the request did not reach it, or was begun"
                + " but forgotten in a failover before any vote was counted)", nowMs);
        output.answer(id, replyTo, aborted, nowMs);
        unbegun.remember(id, nowMs);
        forget(state);
    }

    private void commit(TransactionState state, long nowMs, long timestamp) {
        String id = state.getTransactionId();
        List<Operation> ops = state.getRequest().getOps();
        Map<Integer, List<Integer>> shares = TransactionShares.indexesByPartition(ops, partitionCount);
        List<String> own = keysAt(ops, shares.getOrDefault(partition, List.of()));
        if (!self.holdsLocks(id, own)) {
            // Cannot happen (see relockOwn); if it did, committing would lose this partition's writes.
            abort(state, RejectReason.OTHER, null, "partition " + partition + " no longer holds the locks of its"
                    + " keys " + own, nowMs, timestamp);
            return;
        }
        decide(state, shares, true, -1, nowMs, timestamp);
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
        output.answer(state.getRequest(), Outcomes.committed(id, id, versions, nowMs), timestamp);
        forget(state);
    }

    /** Aborts on the no vote {@code no}; its partition locked nothing, so it gets no DECISION. */
    private void abort(TransactionState state, Vote no, long nowMs, long timestamp) {
        abort(state, reasonOf(no), no.getFailedOp(), no.getDetail(), no.getParticipantPartition(), nowMs, timestamp);
    }

    private static RejectReason reasonOf(Vote no) {
        return no.getReason() == null ? RejectReason.OTHER : no.getReason();
    }

    private void abort(TransactionState state, RejectReason reason, Integer failedOp, String detail, long nowMs,
                       long timestamp) {
        abort(state, reason, failedOp, detail, -1, nowMs, timestamp);
    }

    private void abort(TransactionState state, RejectReason reason, Integer failedOp, String detail, int votedNo,
                       long nowMs, long timestamp) {
        decide(state, TransactionShares.indexesByPartition(state.getRequest().getOps(), partitionCount), false,
                votedNo, nowMs, timestamp);
        output.answer(state.getRequest(), Outcomes.aborted(state.getRequest(), reason, failedOp, detail, nowMs),
                timestamp);
        forget(state);
    }

    /** Removes the transaction's entry, where it has one (a transaction decided as it began has none). */
    private void forget(TransactionState state) {
        String id = state.getTransactionId();
        deadlines.remove(new Deadline(state.getDeadlineMs(), id));
        txns.delete(id);
        held.release(partition, id);
    }

    /**
     * Applies or drops the coordinator's own staged writes, and sends DECISION, naming its keys, to
     * every other partition involved but {@code votedNo} (the partition whose no vote aborts it, or
     * -1): a repeat does nothing there.
     *
     * @param shares the request's op indexes by partition
     */
    private void decide(TransactionState state, Map<Integer, List<Integer>> shares, boolean commit, int votedNo,
                        long nowMs, long timestamp) {
        String id = state.getTransactionId();
        List<Operation> ops = state.getRequest().getOps();
        self.decideOwn(id, commit, keysAt(ops, shares.getOrDefault(partition, List.of())), nowMs, timestamp);
        for (int target : state.getParticipants()) {
            if (target != partition && target != votedNo) {
                output.protocol(new ProtocolMessage(id, partition, target, nowMs,
                        new Decision(commit, keysAt(ops, shares.getOrDefault(target, List.of())))));
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

    private static List<String> keysAt(List<Operation> ops, List<Integer> indexes) {
        return indexes.stream().map(i -> ops.get(i).getKey()).toList();
    }

    /** The keys a yes vote locked (its versions name them). */
    private static List<String> keysOf(Vote vote) {
        return vote.getVersions().stream().map(KeyVersion::getKey).toList();
    }
}
