package io.kvpipe.app.topology;

import static io.kvpipe.app.topology.Requests.add;
import static io.kvpipe.app.topology.Requests.check;
import static io.kvpipe.app.topology.Requests.put;
import static io.kvpipe.app.topology.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.avro.ChangeEvent;
import io.kvpipe.avro.Decision;
import io.kvpipe.avro.KeyVersion;
import io.kvpipe.avro.Operation;
import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.OutcomeStatus;
import io.kvpipe.avro.Prepare;
import io.kvpipe.avro.ProtocolBatch;
import io.kvpipe.avro.ProtocolMessage;
import io.kvpipe.avro.RejectReason;
import io.kvpipe.avro.Request;
import io.kvpipe.avro.Vote;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator and participant state machines of a cross-partition transaction, driven through
 * the whole topology of partition 0 (the driver's only partition) with protocol messages written
 * as the other partitions' tasks would write them.
 */
class TwoPhaseCommitTest {

    static final Duration TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    Path stateDir;

    Pipeline pipeline;

    final String here = Keys.on(0, "acct:", 1).get(0);
    final String here2 = Keys.on(0, "acct:", 2).get(1);
    final String onThree = Keys.on(3, "acct:", 1).get(0);
    final String onFive = Keys.on(5, "acct:", 1).get(0);

    @BeforeEach
    void start() {
        pipeline = new Pipeline(stateDir, TopologySettings.DEFAULT_DEDUP_RETENTION, TIMEOUT);
    }

    @AfterEach
    void stop() {
        pipeline.close();
    }

    void seed(String key, String value) {
        pipeline.send(request("seed-" + key, put(key, value)));
        assertThat(pipeline.outcome().getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
        pipeline.changeEvents();
    }

    static ProtocolMessage vote(String txn, int from, boolean yes, RejectReason reason, Integer failedOp,
                                List<KeyVersion> versions) {
        return new ProtocolMessage(txn, 0, 0, 0L, new Vote(from, yes, reason, failedOp, yes ? null : "no", versions, null, null));
    }

    static ProtocolMessage yes(String txn, int from, KeyVersion... versions) {
        return vote(txn, from, true, null, null, List.of(versions));
    }

    static ProtocolMessage prepare(String txn, int coordinator, long deadlineMs, List<Integer> indexes,
                                   Operation... ops) {
        return new ProtocolMessage(txn, coordinator, 0, 0L, new Prepare(List.of(ops), indexes, deadlineMs, txn));
    }

    static ProtocolMessage decision(String txn, int coordinator, boolean commit, String... keys) {
        return new ProtocolMessage(txn, coordinator, 0, 0L, new Decision(commit, List.of(keys)));
    }

    long now() {
        return pipeline.driverWallClock();
    }

    /**
     * {@code repeat}, a prepare or copy of {@code txn} repeated after its commit decision released
     * {@code here}, votes yes again (a decision that releases locks is not remembered); the abort
     * the coordinator answers such a vote with (coordinated by partition 3) drops it, so
     * {@code here} keeps the value {@code applied} once.
     */
    void repeatAfterTheDecisionIsDroppedByTheCoordinatorsAbort(String txn, String applied, Runnable repeat) {
        repeat.run();
        assertThat(pipeline.protocolSent()).singleElement()
                .satisfies(m -> assertThat(((Vote) m.getBody()).getYes()).isTrue());
        pipeline.sendProtocol(decision(txn, 3, false, here));

        assertThat(pipeline.locks().approximateNumEntries()).isZero();
        assertThat(pipeline.kv().get(here).getValue()).as("applied once").isEqualTo(applied);
        assertThat(pipeline.changeEvents()).isEmpty();
    }

    @Nested
    class AsCoordinator {

        @Test
        void commitsWhenEveryPartitionVotesYesAndOnlyThenShowsTheWrite() {
            seed(here, "100");

            pipeline.send(request("t1", add(here, -30, 0L), add(onThree, 30)));

            assertThat(pipeline.results.isEmpty()).as("no outcome before the votes").isTrue();
            assertThat(pipeline.kv().get(here).getValue()).as("reads see the committed value").isEqualTo("100");
            assertThat(pipeline.locks().get(here)).as("the coordinator's own lock is only held: its txns entry"
                    + " keeps it").isNull();
            assertThat(pipeline.txns().get("t1").getParticipants()).containsExactly(0, 3);
            List<ProtocolMessage> sent = pipeline.protocolSent();
            assertThat(sent).singleElement().satisfies(m -> {
                assertThat(m.getTargetPartition()).isEqualTo(3);
                assertThat(m.getCoordinatorPartition()).isZero();
                Prepare prepare = (Prepare) m.getBody();
                assertThat(prepare.getOps()).extracting(Operation::getKey).containsExactly(onThree);
                assertThat(prepare.getOpIndexes()).containsExactly(1);
                assertThat(prepare.getDeadlineMs()).isEqualTo(now() + TIMEOUT.toMillis());
            });

            pipeline.send(request("w", put(here, "around")));
            assertThat(pipeline.outcome().getDetail()).contains("locked by transaction 't1'");

            pipeline.sendProtocol(yes("t1", 3, new KeyVersion(onThree, 4L, 3, -1L)));

            Outcome outcome = pipeline.outcome();
            assertThat(outcome.getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
            assertThat(outcome.getTransactionId()).isEqualTo("t1");
            assertThat(outcome.getVersions()).extracting(KeyVersion::getKey, KeyVersion::getVersion,
                    KeyVersion::getPartition, KeyVersion::getOffset)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(here, 2L, 0, -1L),
                            org.assertj.core.groups.Tuple.tuple(onThree, 4L, 3, -1L));
            assertThat(pipeline.kv().get(here).getValue()).isEqualTo("70");
            assertThat(pipeline.changeEvents()).singleElement().satisfies(change -> {
                assertThat(change.getKey()).isEqualTo(here);
                assertThat(change.getTransactionId()).isEqualTo("t1");
                assertThat(change.getVersion()).isEqualTo(2L);
            });
            assertThat(pipeline.protocolSent()).singleElement().satisfies(m -> {
                assertThat(m.getTargetPartition()).isEqualTo(3);
                assertThat(((Decision) m.getBody()).getCommit()).isTrue();
                assertThat(((Decision) m.getBody()).getKeys()).as("the participant's keys").containsExactly(onThree);
            });
            assertThat(pipeline.locks().approximateNumEntries()).isZero();
            assertThat(pipeline.txns().get("t1")).isNull();
            assertThat(pipeline.dedup().get("t1").getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
        }

        @Test
        void aNoVoteAbortsWithItsReasonAndReleasesEverything() {
            seed(here, "100");
            pipeline.send(request("t2", add(here, 5), add(onThree, -5, 0L)));
            pipeline.protocolSent();

            pipeline.sendProtocol(vote("t2", 3, false, RejectReason.BELOW_FLOOR, 1, List.of()));

            Outcome outcome = pipeline.outcome();
            assertThat(outcome.getStatus()).isEqualTo(OutcomeStatus.ABORTED);
            assertThat(outcome.getReason()).isEqualTo(RejectReason.BELOW_FLOOR);
            assertThat(outcome.getFailedOp()).isEqualTo(1);
            assertThat(outcome.getVersions()).isEmpty();
            assertThat(pipeline.kv().get(here).getValue()).isEqualTo("100");
            assertThat(pipeline.changeEvents()).isEmpty();
            assertThat(pipeline.locks().approximateNumEntries()).isZero();
            assertThat(pipeline.protocolSent()).as("no DECISION to the partition that voted no: it locked nothing")
                    .isEmpty();
        }

        @Test
        void aNoVoteSendsTheAbortToEveryOtherParticipant() {
            pipeline.send(request("t2b", put(here, "a"), put(onThree, "b"), put(onFive, "c")));
            pipeline.protocolSent();

            pipeline.sendProtocol(vote("t2b", 5, false, RejectReason.LOCK_CONFLICT, 2, List.of()));

            assertThat(pipeline.outcome().getReason()).isEqualTo(RejectReason.LOCK_CONFLICT);
            assertThat(pipeline.protocolSent()).singleElement().satisfies(m -> {
                assertThat(m.getTargetPartition()).isEqualTo(3);
                assertThat(((Decision) m.getBody()).getCommit()).isFalse();
            });
        }

        @Test
        void waitsForEveryPartitionAndIgnoresRepeatedAndStrayVotes() {
            pipeline.send(request("t3", put(here, "a"), put(onThree, "b"), put(onFive, "c")));
            assertThat(pipeline.protocolSent()).extracting(ProtocolMessage::getTargetPartition).containsExactly(3, 5);

            pipeline.sendProtocol(yes("t3", 3, new KeyVersion(onThree, 1L, 3, -1L)));
            pipeline.sendProtocol(yes("t3", 3, new KeyVersion(onThree, 1L, 3, -1L)));
            pipeline.sendProtocol(yes("t3", 6));
            assertThat(pipeline.results.isEmpty()).isTrue();
            assertThat(pipeline.txns().get("t3").getVotes()).extracting(Vote::getParticipantPartition)
                    .containsExactly(0, 3);

            pipeline.sendProtocol(yes("t3", 5, new KeyVersion(onFive, 1L, 5, -1L)));

            assertThat(pipeline.outcome().getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
            assertThat(pipeline.protocolSent()).extracting(ProtocolMessage::getTargetPartition).containsExactly(3, 5);
        }

        @Test
        void abortsAtTheDeadlineNamingWhoDidNotVoteAndAnswersTheLateVoteWithTheAbortAgain() {
            pipeline.send(request("t4", put(here, "a"), put(onThree, "b"), put(onFive, "c")));
            pipeline.protocolSent();
            pipeline.sendProtocol(yes("t4", 5, new KeyVersion(onFive, 1L, 5, -1L)));

            pipeline.advance(TIMEOUT.minusMillis(100));
            assertThat(pipeline.results.isEmpty()).as("not before the deadline").isTrue();
            pipeline.advance(Duration.ofMillis(200));

            Outcome outcome = pipeline.outcome();
            assertThat(outcome.getStatus()).isEqualTo(OutcomeStatus.ABORTED);
            assertThat(outcome.getReason()).isEqualTo(RejectReason.TIMEOUT);
            assertThat(outcome.getDetail()).isEqualTo("no vote from partition(s) [3] within 2000 ms");
            assertThat(pipeline.protocolSent()).extracting(ProtocolMessage::getTargetPartition).containsExactly(3, 5);
            assertThat(pipeline.locks().approximateNumEntries()).isZero();

            pipeline.sendProtocol(yes("t4", 3, new KeyVersion(onThree, 1L, 3, -1L)));
            assertThat(pipeline.results.isEmpty()).isTrue();
            assertThat(pipeline.protocolSent()).as("a repeat of the abort, which changes nothing where it was decided")
                    .singleElement().satisfies(m -> {
                        assertThat(m.getTargetPartition()).isEqualTo(3);
                        assertThat(((Decision) m.getBody()).getCommit()).isFalse();
                        assertThat(((Decision) m.getBody()).getKeys()).containsExactly(onThree);
                    });
            assertThat(pipeline.kv().get(here)).isNull();
            assertThat(pipeline.txns().approximateNumEntries()).isZero();
        }

        @Test
        void ownKeyLockedOrOwnConditionFailingAbortsAtOnceWithoutAPrepare() {
            seed(here2, "10");
            pipeline.send(request("holder", put(here, "x"), put(onThree, "y")));
            pipeline.protocolSent();

            pipeline.send(request("t6", put(here, "z"), put(onFive, "w")));
            Outcome locked = pipeline.outcome();
            assertThat(locked.getStatus()).isEqualTo(OutcomeStatus.ABORTED);
            assertThat(locked.getReason()).isEqualTo(RejectReason.LOCK_CONFLICT);
            assertThat(locked.getFailedOp()).isZero();
            assertThat(locked.getDetail()).contains("locked by transaction 'holder'");

            String here3 = Keys.on(0, "acct:", 3).get(2);
            pipeline.send(request("t7", put(here3, "1"), add(onFive, 5), add(here2, -50, 0L)));
            Outcome belowFloor = pipeline.outcome();
            assertThat(belowFloor.getReason()).isEqualTo(RejectReason.BELOW_FLOOR);
            assertThat(belowFloor.getFailedOp()).as("numbered as in the whole transaction").isEqualTo(2);

            assertThat(pipeline.protocolSent()).as("no prepare for either").isEmpty();
            pipeline.send(request("w", put(here3, "free")));
            assertThat(pipeline.outcome().getStatus()).as("t7 locked nothing").isEqualTo(OutcomeStatus.COMMITTED);
            pipeline.send(request("w2", put(here, "around")));
            assertThat(pipeline.outcome().getDetail()).as("the holder keeps its lock")
                    .contains("locked by transaction 'holder'");
        }

        @Test
        void aRepeatedRequestWhileInFlightWaitsAndAfterwardsGetsTheFirstOutcome() {
            Request request = request("t8", put(here, "a"), put(onThree, "b"));
            pipeline.send(request);
            pipeline.protocolSent();

            pipeline.send(request);
            assertThat(pipeline.results.isEmpty()).isTrue();
            assertThat(pipeline.protocolSent()).as("no second prepare").isEmpty();

            pipeline.sendProtocol(yes("t8", 3, new KeyVersion(onThree, 1L, 3, -1L)));
            Outcome first = pipeline.outcome();
            pipeline.protocolSent();
            pipeline.changeEvents();

            pipeline.send(request);
            assertThat(pipeline.outcome()).isEqualTo(first);
            assertThat(pipeline.changeEvents()).isEmpty();
            assertThat(pipeline.protocolSent()).isEmpty();
        }

        @Test
        void whatOneStepSendsToOnePartitionGoesOutAsOneBatchAndABatchOfVotesIsHandledVoteByVote() {
            List<String> mine = Keys.on(0, "b:", 3);
            List<String> theirs = Keys.on(3, "b:", 3);
            pipeline.sendBatch(request("b0", put(mine.get(0), "x"), put(theirs.get(0), "y")),
                    request("b1", put(mine.get(1), "x"), put(theirs.get(1), "y")),
                    request("b2", put(mine.get(2), "x"), put(theirs.get(2), "y"), put(onFive, "z")));

            List<Object> records = pipeline.protocolRecordsSent();
            pipeline.misaddressed();
            assertThat(records).hasSize(2);
            assertThat(records.get(0)).isInstanceOfSatisfying(ProtocolBatch.class, batch ->
                    assertThat(batch.getMessages()).extracting(ProtocolMessage::getTransactionId)
                            .containsExactly("b0", "b1", "b2"));
            assertThat(records.get(1)).isInstanceOfSatisfying(ProtocolMessage.class, single ->
                    assertThat(single.getTargetPartition()).isEqualTo(5));

            pipeline.sendProtocolBatch(yes("b0", 3, new KeyVersion(theirs.get(0), 1L, 3, -1L)),
                    vote("b1", 3, false, RejectReason.LOCK_CONFLICT, 1, List.of()),
                    yes("b2", 3, new KeyVersion(theirs.get(2), 1L, 3, -1L)));

            assertThat(pipeline.results.readValuesToList()).extracting(Outcome::getRequestId, Outcome::getStatus)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("b0", OutcomeStatus.COMMITTED),
                            org.assertj.core.groups.Tuple.tuple("b1", OutcomeStatus.ABORTED));
            assertThat(pipeline.protocolRecordsSent()).as("b0's commit; none for b1 to the partition that voted no")
                    .singleElement().isInstanceOfSatisfying(ProtocolMessage.class,
                            m -> assertThat(((Decision) m.getBody()).getCommit()).isTrue());
            assertThat(pipeline.txns().get("b2").getVotes()).hasSize(2);
        }

        @Test
        void aMalformedTransactionIsRejectedBeforeAnythingIsPreparedOrLocked() {
            Request sameKeyTwice = request("m1", put(here, "a"), put(onThree, "b"), put(here, "c"));
            Request timeoutTooLong = request("m2", put(here, "a"), put(onThree, "b"));
            timeoutTooLong.setTimeoutMs(61_000);

            pipeline.send(sameKeyTwice);
            pipeline.send(timeoutTooLong);

            assertThat(pipeline.results.readValuesToList()).allSatisfy(outcome -> {
                assertThat(outcome.getStatus()).isEqualTo(OutcomeStatus.REJECTED);
                assertThat(outcome.getReason()).isEqualTo(RejectReason.INVALID_REQUEST);
            });
            assertThat(pipeline.deadLetters.readValuesToList()).hasSize(2);
            assertThat(pipeline.protocolOut.isEmpty()).isTrue();
            assertThat(pipeline.locks().approximateNumEntries()).isZero();
            assertThat(pipeline.txns().approximateNumEntries()).isZero();
        }

        @Test
        void aSingleKeyWriteOnALockedKeyIsRejectedNeverAppliedAroundTheLock() {
            seed(here, "1");
            pipeline.send(request("t9", put(here, "staged"), put(onThree, "b")));
            pipeline.protocolSent();

            pipeline.send(request("w", put(here, "around")));

            Outcome outcome = pipeline.outcome();
            assertThat(outcome.getStatus()).isEqualTo(OutcomeStatus.REJECTED);
            assertThat(outcome.getReason()).isEqualTo(RejectReason.LOCK_CONFLICT);
            assertThat(outcome.getDetail()).contains("locked by transaction 't9'");
            assertThat(pipeline.kv().get(here).getValue()).isEqualTo("1");
        }
    }

    /** The client sent the request to the partition of every key it names ({@code sentToParticipants}). */
    static Request copied(String requestId, Operation... ops) {
        Request request = request(requestId, ops);
        request.setSentToParticipants(true);
        return request;
    }

    @Nested
    class WithCopiesAsCoordinator {

        @Test
        void sendsNoPrepareAndCommitsOnTheVotes() {
            seed(here, "100");

            pipeline.send(copied("c1", add(here, -30, 0L), add(onThree, 30)));

            assertThat(pipeline.protocolSent()).as("the participant prepares on its own copy").isEmpty();
            pipeline.send(request("w", put(here, "around")));
            assertThat(pipeline.outcome().getDetail()).contains("locked by transaction 'c1'");
            assertThat(pipeline.txns().get("c1")).as("no vote to keep yet: held in memory only").isNull();
            assertThat(pipeline.held.find(0, "c1")).hasValueSatisfying(
                    held -> assertThat(held.getParticipants()).containsExactly(0, 3));
            assertThat(pipeline.txnsChangelog()).as("nothing written for it").isEmpty();

            pipeline.sendProtocol(yes("c1", 3, new KeyVersion(onThree, 4L, 3, -1L)));

            Outcome outcome = pipeline.outcome();
            assertThat(outcome.getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
            assertThat(outcome.getVersions()).extracting(KeyVersion::getKey).containsExactly(here, onThree);
            assertThat(pipeline.kv().get(here).getValue()).isEqualTo("70");
            assertThat(pipeline.protocolSent()).singleElement().satisfies(m -> {
                assertThat(m.getTargetPartition()).isEqualTo(3);
                assertThat(((Decision) m.getBody()).getCommit()).isTrue();
            });
            assertThat(pipeline.txns().approximateNumEntries()).isZero();
            assertThat(pipeline.held.find(0, "c1")).isEmpty();
            assertThat(pipeline.txnsChangelog()).as("no entry, no tombstone").isEmpty();
        }

        @Test
        void aTransactionOfThreePartitionsIsStoredWhenItsFirstVoteIsCounted() {
            String onFive = Keys.on(5, "acct:", 1).get(0);
            pipeline.send(copied("c7", put(here, "a"), put(onThree, "b"), put(onFive, "c")));
            assertThat(pipeline.txns().get("c7")).isNull();

            pipeline.sendProtocol(yes("c7", 3, new KeyVersion(onThree, 1L, 3, -1L)));

            assertThat(pipeline.txns().get("c7").getVotes()).extracting(Vote::getParticipantPartition)
                    .as("the vote of 3 is kept").containsExactlyInAnyOrder(0, 3);
            assertThat(pipeline.held.find(0, "c7")).isEmpty();
            assertThat(pipeline.txnsChangelog()).as("stored at the vote").hasSize(1);
            pipeline.sendProtocol(yes("c7", 5, new KeyVersion(onFive, 1L, 5, -1L)));
            assertThat(pipeline.outcome().getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
            assertThat(pipeline.txns().approximateNumEntries()).isZero();
        }

        @Test
        void votesWhoseRequestNeverComesAbortAtTheirDeadlineAndTheClientIsTold() {
            ProtocolMessage yes = yes("c8", 3, new KeyVersion(onThree, 1L, 3, -1L));
            Vote vote = (Vote) yes.getBody();
            vote.setDeadlineMs(pipeline.now().plusSeconds(5).toEpochMilli());
            vote.setReplyTo(new io.kvpipe.avro.ReplyTo("client-1", 6));
            pipeline.sendProtocol(yes);

            pipeline.advance(Duration.ofSeconds(4));
            assertThat(pipeline.protocolSent()).as("not before the deadline").isEmpty();
            pipeline.advance(Duration.ofSeconds(2));

            assertThat(pipeline.protocolSent()).singleElement().satisfies(m -> {
                assertThat(m.getTargetPartition()).isEqualTo(3);
                assertThat(((Decision) m.getBody()).getCommit()).isFalse();
            });
            assertThat(pipeline.replyPartitions()).as("sent where the vote said").containsExactly(6);
            Outcome outcome = pipeline.outcome();
            assertThat(outcome.getRequestId()).isEqualTo("c8");
            assertThat(outcome.getReason()).isEqualTo(RejectReason.TIMEOUT);
            assertThat(outcome.getDetail()).startsWith("partition(s) [3] voted, but its coordinator, partition 0, had"
                    + " no record of the request by the deadline, 5000 ms after the first vote came");

            // The request, late (and fresh: its client sent it once), gets that abort, and begins nothing.
            pipeline.send(Requests.fresh(copied("c8", put(here, "a"), put(onThree, "b"))));
            assertThat(pipeline.outcome()).isEqualTo(outcome);
            assertThat(pipeline.protocolSent()).isEmpty();
            assertThat(pipeline.held.find(0, "c8")).isEmpty();
            pipeline.send(request("w", put(here, "free")));
            assertThat(pipeline.outcome().getStatus()).as("no lock taken").isEqualTo(OutcomeStatus.COMMITTED);
        }

        @Test
        void votesThatComeBeforeTheRequestAreKeptAndCountedWhenItComes() {
            pipeline.sendProtocol(yes("c2", 3, new KeyVersion(onThree, 1L, 3, -1L)));
            pipeline.sendProtocol(vote("c3", 5, false, RejectReason.BELOW_FLOOR, 1, List.of()));

            assertThat(pipeline.results.isEmpty()).isTrue();
            assertThat(pipeline.protocolSent()).isEmpty();
            assertThat(pipeline.txns().get("c2").getRequest()).as("not read yet").isNull();
            assertThat(pipeline.txns().get("c2").getVotes()).extracting(Vote::getParticipantPartition)
                    .containsExactly(3);

            pipeline.send(copied("c2", put(here, "a"), put(onThree, "b")));
            Outcome committed = pipeline.outcome();
            assertThat(committed.getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
            assertThat(committed.getVersions()).extracting(KeyVersion::getKey).containsExactly(here, onThree);
            assertThat(pipeline.kv().get(here).getValue()).isEqualTo("a");

            pipeline.send(copied("c3", put(here2, "a"), add(onFive, -5, 0L)));
            Outcome aborted = pipeline.outcome();
            assertThat(aborted.getStatus()).isEqualTo(OutcomeStatus.ABORTED);
            assertThat(aborted.getReason()).isEqualTo(RejectReason.BELOW_FLOOR);
            assertThat(aborted.getFailedOp()).isEqualTo(1);
            assertThat(pipeline.locks().get(here2)).as("not prepared: the no vote was in").isNull();
            assertThat(pipeline.kv().get(here2)).isNull();

            assertThat(pipeline.protocolSent()).as("c3's abort goes to its no voter too: it may have prepared since")
                    .extracting(ProtocolMessage::getTargetPartition, m -> ((Decision) m.getBody()).getCommit())
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(3, true),
                            org.assertj.core.groups.Tuple.tuple(5, false));
            assertThat(pipeline.txns().approximateNumEntries()).isZero();
            assertThat(pipeline.locks().approximateNumEntries()).isZero();
        }

        @Test
        void aPartitionsLaterVoteBeforeTheRequestReplacesItsEarlierOne() {
            // A no on the first copy; a repeated copy, read once the conflicting lock was released,
            // prepared and voted yes: that partition holds locks now, and its yes is what counts.
            pipeline.sendProtocol(vote("c10", 3, false, RejectReason.LOCK_CONFLICT, 1, List.of()));
            pipeline.sendProtocol(yes("c10", 3, new KeyVersion(onThree, 1L, 3, -1L)));
            assertThat(pipeline.txns().get("c10").getVotes()).extracting(Vote::getYes).containsExactly(true);

            pipeline.send(copied("c10", put(here, "a"), put(onThree, "b")));

            assertThat(pipeline.outcome().getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
            assertThat(pipeline.protocolSent()).singleElement()
                    .satisfies(m -> assertThat(((Decision) m.getBody()).getCommit()).isTrue());
        }

        @Test
        void aRequestWhoseVotesCameEarlyButNotAllWaitsForTheRestUntilItsOwnDeadline() {
            pipeline.sendProtocol(yes("c11", 3, new KeyVersion(onThree, 1L, 3, -1L)));
            pipeline.send(copied("c11", put(here, "a"), put(onThree, "b"), put(onFive, "c")));
            assertThat(pipeline.txns().get("c11").getVotes()).extracting(Vote::getParticipantPartition)
                    .containsExactly(3, 0);

            pipeline.advance(TIMEOUT.minusMillis(100));
            assertThat(pipeline.results.isEmpty()).as("not before the request's deadline").isTrue();
            pipeline.advance(Duration.ofMillis(200));

            Outcome outcome = pipeline.outcome();
            assertThat(outcome.getReason()).isEqualTo(RejectReason.TIMEOUT);
            assertThat(outcome.getDetail()).isEqualTo("no vote from partition(s) [5] within 2000 ms");
            assertThat(pipeline.txns().approximateNumEntries()).isZero();
            assertThat(pipeline.locks().approximateNumEntries()).isZero();
        }

        @Test
        void aNoOnItsOwnKeysAbortsAndTellsEveryParticipantWhichMayHavePreparedOnItsCopy() {
            pipeline.send(copied("holder", put(here, "x"), put(onThree, "y")));

            pipeline.send(copied("c4", put(here, "z"), put(onFive, "w")));

            Outcome outcome = pipeline.outcome();
            assertThat(outcome.getReason()).isEqualTo(RejectReason.LOCK_CONFLICT);
            assertThat(pipeline.protocolSent()).singleElement().satisfies(m -> {
                assertThat(m.getTargetPartition()).isEqualTo(5);
                assertThat(((Decision) m.getBody()).getCommit()).isFalse();
                assertThat(((Decision) m.getBody()).getKeys()).containsExactly(onFive);
            });
            assertThat(pipeline.txns().get("c4")).isNull();
        }

        @Test
        void votesWithoutADeadlineWhoseRequestNeverComesAbortAfterTheLongestTimeoutAndALateRequestGetsThatAbort() {
            pipeline.sendProtocol(yes("c5", 3, new KeyVersion(onThree, 1L, 3, -1L)));
            pipeline.sendProtocol(vote("c5", 5, false, RejectReason.LOCK_CONFLICT, 2, List.of()));

            pipeline.advance(TopologySettings.MAX_TRANSACTION_TIMEOUT.minusSeconds(1));
            assertThat(pipeline.protocolSent()).as("not before the longest timeout").isEmpty();
            pipeline.advance(Duration.ofSeconds(2));

            assertThat(pipeline.protocolSent()).as("every voter, the no voter with no key")
                    .extracting(ProtocolMessage::getTargetPartition, m -> ((Decision) m.getBody()).getCommit(),
                            m -> ((Decision) m.getBody()).getKeys())
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(3, false, List.of(onThree)),
                            org.assertj.core.groups.Tuple.tuple(5, false, List.of()));
            assertThat(pipeline.results.isEmpty()).as("no request: no one to answer yet").isTrue();
            assertThat(pipeline.txns().approximateNumEntries()).isZero();

            pipeline.send(copied("c5", put(here, "a"), put(onThree, "b")));

            Outcome outcome = pipeline.outcome();
            assertThat(outcome.getStatus()).isEqualTo(OutcomeStatus.ABORTED);
            assertThat(outcome.getReason()).isEqualTo(RejectReason.TIMEOUT);
            assertThat(outcome.getDetail()).startsWith("partition(s) [3, 5] voted, but its coordinator, partition 0,"
                    + " had no record of the request by the deadline, 60000 ms after the first vote came");
            assertThat(pipeline.protocolSent()).as("answered from the remembered outcome").isEmpty();
        }

        @Test
        void aYesVoteAfterACommitGetsAnAbortThatCanOnlyDropAPrepareMadeAfterIt() {
            pipeline.send(copied("c6", put(here, "a"), put(onThree, "b")));
            pipeline.sendProtocol(yes("c6", 3, new KeyVersion(onThree, 1L, 3, -1L)));
            assertThat(pipeline.outcome().getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
            assertThat(pipeline.protocolSent()).extracting(m -> ((Decision) m.getBody()).getCommit())
                    .containsExactly(true);

            pipeline.sendProtocol(yes("c6", 3, new KeyVersion(onThree, 1L, 3, -1L)));

            assertThat(pipeline.protocolSent()).singleElement()
                    .satisfies(m -> assertThat(((Decision) m.getBody()).getCommit()).isFalse());
            assertThat(pipeline.results.isEmpty()).isTrue();
            assertThat(pipeline.kv().get(here).getValue()).as("the commit stands").isEqualTo("a");
        }
    }

    @Nested
    class WithCopiesAsParticipant {

        @Test
        void preparesItsShareOfItsCopyAndVotesWithoutAPrepare() {
            seed(here, "100");

            pipeline.send(copied("c7", add(onThree, -30, 0L), put(onFive, "x"), add(here, 30)));

            assertThat(pipeline.protocolSent()).singleElement().satisfies(m -> {
                assertThat(m.getTargetPartition()).isEqualTo(3);
                assertThat(m.getCoordinatorPartition()).isEqualTo(3);
                Vote vote = (Vote) m.getBody();
                assertThat(vote.getYes()).isTrue();
                assertThat(vote.getVersions()).extracting(KeyVersion::getKey, KeyVersion::getVersion)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple(here, 2L));
            });
            assertThat(pipeline.locks().get(here).getStaged().getValue()).isEqualTo("130");
            assertThat(pipeline.results.isEmpty()).as("the coordinator answers the client").isTrue();
            assertThat(pipeline.dedup().get("c7")).isNull();

            pipeline.sendProtocol(decision("c7", 3, true, here));
            assertThat(pipeline.kv().get(here).getValue()).isEqualTo("130");
            assertThat(pipeline.changeEvents()).extracting(ChangeEvent::getTransactionId).containsExactly("c7");

            repeatAfterTheDecisionIsDroppedByTheCoordinatorsAbort("c7", "130",
                    () -> pipeline.send(copied("c7", add(onThree, -30, 0L), put(onFive, "x"), add(here, 30))));
        }

        @Test
        void aVoteCarriesTheDeadlineAndReplyAddressOfTheCopyAndARepeatTheFirstDeadline() {
            long sentAt = pipeline.now().toEpochMilli();
            pipeline.send(copied("c9", put(onThree, "a"), put(here, "b")));
            Vote first = (Vote) pipeline.protocolSent().get(0).getBody();
            long deadline = first.getDeadlineMs();
            assertThat(deadline).as("now plus the transaction timeout").isGreaterThan(sentAt);
            assertThat(pipeline.locks().get(here).getDeadlineMs()).isEqualTo(deadline);
            assertThat(first.getReplyTo().getPartition()).isEqualTo(Requests.REPLY_PARTITION);

            pipeline.advance(Duration.ofSeconds(1));
            pipeline.send(copied("c9", put(onThree, "a"), put(here, "b")));

            Vote repeated = (Vote) pipeline.protocolSent().get(0).getBody();
            assertThat(repeated.getYes()).isTrue();
            assertThat(repeated.getDeadlineMs()).as("the deadline it locked with").isEqualTo(deadline);
        }

        @Test
        void aDecisionBeforeItsCopyMakesTheCopyLockNothing() {
            pipeline.sendProtocol(decision("c8", 3, false, here));
            pipeline.send(copied("c8", put(onThree, "a"), put(here, "b")));

            assertThat(pipeline.protocolSent()).isEmpty();
            assertThat(pipeline.locks().approximateNumEntries()).isZero();
        }

        @Test
        void aCopyNamingNoKeyOfItsPartitionIsDeadLetteredAndRejected() {
            pipeline.send("routing", copied("c9", put(onThree, "a"), put(onFive, "b")));

            assertThat(pipeline.deadLetters.readValuesToList()).singleElement().satisfies(letter ->
                    assertThat(letter.getDetail()).contains("names no key of partition 0"));
            assertThat(pipeline.outcome().getReason()).isEqualTo(RejectReason.INVALID_REQUEST);
            assertThat(pipeline.protocolSent()).isEmpty();
        }
    }

    @Nested
    class AsParticipant {

        long deadline() {
            return now() + 5_000;
        }

        @Test
        void votesYesLocksAndAppliesOnCommit() {
            seed(here, "100");

            pipeline.sendProtocol(prepare("p1", 3, deadline(), List.of(1, 2), add(here, 25), check(here2, null)));

            List<ProtocolMessage> sent = pipeline.protocolSent();
            assertThat(sent).singleElement().satisfies(m -> {
                assertThat(m.getTargetPartition()).isEqualTo(3);
                assertThat(m.getCoordinatorPartition()).isEqualTo(3);
                Vote vote = (Vote) m.getBody();
                assertThat(vote.getYes()).isTrue();
                assertThat(vote.getParticipantPartition()).isZero();
                assertThat(vote.getVersions()).extracting(KeyVersion::getKey, KeyVersion::getVersion)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple(here, 2L),
                                org.assertj.core.groups.Tuple.tuple(here2, 0L));
            });
            assertThat(pipeline.locks().get(here).getStaged().getValue()).isEqualTo("125");
            assertThat(pipeline.locks().get(here2).getStaged()).as("a check holds the lock only").isNull();
            assertThat(pipeline.kv().get(here).getValue()).isEqualTo("100");

            pipeline.sendProtocol(decision("p1", 3, true, here, here2));

            assertThat(pipeline.kv().get(here).getValue()).isEqualTo("125");
            assertThat(pipeline.kv().get(here).getTransactionId()).isEqualTo("p1");
            assertThat(pipeline.kv().get(here2)).isNull();
            assertThat(pipeline.changeEvents()).extracting(ChangeEvent::getKey, ChangeEvent::getTransactionId)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(here, "p1"));
            assertThat(pipeline.locks().approximateNumEntries()).isZero();
            assertThat(pipeline.results.isEmpty()).as("the coordinator answers the client").isTrue();
            assertThat(pipeline.decisionsRemembered()).as("a decision that released locks is not remembered").isZero();
        }

        @Test
        void votesNoOnALockHeldByAnotherTransactionOrAFailingCondition() {
            seed(here2, "3");
            pipeline.sendProtocol(prepare("holder", 3, deadline(), List.of(0), put(here, "x")));
            pipeline.protocolSent();

            pipeline.sendProtocol(prepare("p2", 5, deadline(), List.of(2), put(here, "y")));
            pipeline.sendProtocol(prepare("p3", 5, deadline(), List.of(4), add(here2, -5, 0L)));

            List<Vote> votes = pipeline.protocolSent().stream().map(m -> (Vote) m.getBody()).toList();
            assertThat(votes).extracting(Vote::getYes, Vote::getReason, Vote::getFailedOp).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(false, RejectReason.LOCK_CONFLICT, 2),
                    org.assertj.core.groups.Tuple.tuple(false, RejectReason.BELOW_FLOOR, 4));
            assertThat(votes.get(0).getDetail()).contains("op 2", "locked by transaction 'holder'");
            assertThat(votes.get(1).getDetail()).startsWith("op 4: ");
            assertThat(pipeline.locks().get(here).getTransactionId()).isEqualTo("holder");
            assertThat(pipeline.locks().get(here2)).isNull();
        }

        @Test
        void aRepeatedPrepareGetsTheSameVoteUntilDecidedAndAfterItTheCoordinatorsAbortDropsIt() {
            seed(here, "1");
            pipeline.sendProtocol(prepare("p4", 3, deadline(), List.of(0), add(here, 1)));
            Vote first = (Vote) pipeline.protocolSent().get(0).getBody();

            pipeline.sendProtocol(prepare("p4", 3, deadline(), List.of(0), add(here, 1)));
            assertThat(pipeline.protocolSent()).singleElement().satisfies(m -> assertThat(m.getBody()).isEqualTo(first));

            pipeline.sendProtocol(decision("p4", 3, true, here));
            assertThat(pipeline.kv().get(here).getValue()).isEqualTo("2");
            pipeline.changeEvents();

            repeatAfterTheDecisionIsDroppedByTheCoordinatorsAbort("p4", "2",
                    () -> pipeline.sendProtocol(prepare("p4", 3, deadline(), List.of(0), add(here, 1))));
        }

        @Test
        void aRepeatedDecisionChangesNothing() {
            seed(here, "1");
            pipeline.sendProtocol(prepare("p5", 3, deadline(), List.of(0), add(here, 1)));
            pipeline.protocolSent();
            pipeline.sendProtocol(decision("p5", 3, true, here));
            assertThat(pipeline.changeEvents()).hasSize(1);

            pipeline.sendProtocol(decision("p5", 3, true, here));
            pipeline.sendProtocol(decision("p5", 3, false, here));

            assertThat(pipeline.kv().get(here).getValue()).isEqualTo("2");
            assertThat(pipeline.changeEvents()).isEmpty();
            assertThat(pipeline.protocolSent()).isEmpty();
        }

        @Test
        void aDecisionBeforeItsPrepareMakesTheLatePrepareLockNothing() {
            pipeline.sendProtocol(decision("p6", 3, false, here));
            assertThat(pipeline.decisionsRemembered()).isEqualTo(1);
            pipeline.sendProtocol(prepare("p6", 3, deadline(), List.of(0), put(here, "x")));

            assertThat(pipeline.protocolSent()).isEmpty();
            assertThat(pipeline.locks().approximateNumEntries()).isZero();
        }

        @Test
        void aPrepareAfterItsDeadlineVotesNoAndLocksNothing() {
            pipeline.sendProtocol(prepare("p7", 3, now() - 1, List.of(0), put(here, "x")));

            assertThat(pipeline.protocolSent()).singleElement().satisfies(m -> {
                Vote vote = (Vote) m.getBody();
                assertThat(vote.getYes()).isFalse();
                assertThat(vote.getReason()).isEqualTo(RejectReason.TIMEOUT);
            });
            assertThat(pipeline.locks().approximateNumEntries()).isZero();
        }

        @Test
        void aYesVoteIsKeptPastTheDeadlineUntilTheDecisionComes() {
            pipeline.sendProtocol(prepare("p8", 3, deadline(), List.of(0), put(here, "x")));
            pipeline.protocolSent();

            pipeline.advance(Duration.ofMinutes(10));
            assertThat(pipeline.locks().get(here).getTransactionId()).as("never decides alone").isEqualTo("p8");

            pipeline.sendProtocol(decision("p8", 3, true, here));
            assertThat(pipeline.kv().get(here).getValue()).isEqualTo("x");
            assertThat(pipeline.locks().approximateNumEntries()).isZero();
        }

        @Test
        void aMisaddressedOrUndecodableProtocolRecordIsDeadLetteredAndProcessingGoesOn() {
            pipeline.protocolIn.pipeInput("bad", new ProtocolMessage("bad", 3, 6, 0L, new Decision(true, List.of())));
            pipeline.sendProtocol(prepare("p9", 3, deadline(), List.of(0), put(onFive, "x")));
            pipeline.sendRawProtocol("junk".getBytes(), new byte[] {0, 0, 0, 0, 9});

            assertThat(pipeline.deadLetters.readValuesToList()).extracting(l -> l.getReason().toString())
                    .containsExactly("MALFORMED_REQUEST", "MALFORMED_REQUEST", "UNKNOWN_SCHEMA");

            pipeline.sendProtocol(prepare("p10", 3, deadline(), List.of(0), put(here, "x")));
            assertThat(pipeline.protocolSent()).singleElement()
                    .satisfies(m -> assertThat(((Vote) m.getBody()).getYes()).isTrue());
        }
    }
}
