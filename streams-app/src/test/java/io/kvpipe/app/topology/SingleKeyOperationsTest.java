package io.kvpipe.app.topology;

import static io.kvpipe.app.topology.Requests.REPLY_PARTITION;
import static io.kvpipe.app.topology.Requests.add;
import static io.kvpipe.app.topology.Requests.cas;
import static io.kvpipe.app.topology.Requests.check;
import static io.kvpipe.app.topology.Requests.delete;
import static io.kvpipe.app.topology.Requests.put;
import static io.kvpipe.app.topology.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.avro.ChangeEvent;
import io.kvpipe.avro.KeyVersion;
import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.OutcomeStatus;
import io.kvpipe.avro.RejectReason;
import io.kvpipe.avro.VersionedValue;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What each single-key operation promises, seen from the outputs and the kv store. */
class SingleKeyOperationsTest extends PipelineTest {

    private final String key = Keys.here("user:");

    @Test
    void putThenPutCountsVersionsFromOneAndPublishesEachChangeAndOutcomeAtTheReplyPartition() {
        long first = pipeline.send(request("r1", put(key, "alice")));
        long second = pipeline.send(request("r2", put(key, "bob")));

        List<Pipeline.RoutedReply> replies = pipeline.replies();
        assertThat(replies).extracting(Pipeline.RoutedReply::key).containsExactly("r1", "r2");
        assertThat(replies).extracting(Pipeline.RoutedReply::partition).containsOnly(REPLY_PARTITION);
        Outcome one = replies.get(0).outcome();
        assertThat(one.getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
        assertThat(one.getRequestId()).isEqualTo("r1");
        assertThat(one.getReason()).isNull();
        assertThat(one.getTransactionId()).isNull();
        assertThat(one.getTimestampMs()).isEqualTo(Pipeline.START.toEpochMilli());
        assertThat(one.getVersions()).containsExactly(new KeyVersion(key, 1L, Keys.HERE, first));
        assertThat(replies.get(1).outcome().getVersions()).containsExactly(new KeyVersion(key, 2L, Keys.HERE, second));

        List<ChangeEvent> events = pipeline.changeEvents();
        assertThat(events).containsExactly(
                new ChangeEvent(key, "alice", 1L, "r1", null, Pipeline.START.toEpochMilli()),
                new ChangeEvent(key, "bob", 2L, "r2", null, Pipeline.START.toEpochMilli()));
        VersionedValue stored = pipeline.kv().get(key);
        assertThat(stored.getValue()).isEqualTo("bob");
        assertThat(stored.getVersion()).isEqualTo(2L);
        assertThat(stored.getRequestId()).isEqualTo("r2");
    }

    @Test
    void changeEventsAreKeyedByTheDataKey() {
        pipeline.send(request("r1", put(key, "v")));

        assertThat(pipeline.changes.readKeyValue().key).isEqualTo(key);
    }

    @Test
    void deletingAPresentKeyWritesATombstoneThatKeepsTheVersion() {
        pipeline.send(request("r1", put(key, "v")));
        long offset = pipeline.send(request("r2", delete(key)));
        pipeline.results.readValue();

        Outcome outcome = pipeline.outcome();
        assertThat(outcome.getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
        assertThat(outcome.getVersions()).containsExactly(new KeyVersion(key, 2L, Keys.HERE, offset));
        assertThat(pipeline.changeEvents()).extracting(ChangeEvent::getValue, ChangeEvent::getVersion)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("v", 1L), org.assertj.core.groups.Tuple.tuple(null, 2L));
        VersionedValue stored = pipeline.kv().get(key);
        assertThat(stored.getValue()).isNull();
        assertThat(stored.getVersion()).isEqualTo(2L);
    }

    @Test
    void deletingANeverWrittenKeyCommitsWithVersionZeroAndNoChange() {
        long offset = pipeline.send(request("r1", delete(key)));

        Outcome outcome = pipeline.outcome();
        assertThat(outcome.getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
        assertThat(outcome.getVersions()).as("nothing written: the read position is the version")
                .containsExactly(new KeyVersion(key, 0L, Keys.HERE, -1L));
        assertThat(pipeline.changeEvents()).isEmpty();
        assertThat(pipeline.kv().get(key)).isNull();
    }

    @Test
    void deletingADeletedKeyCommitsWithItsCurrentVersionAndNoChange() {
        pipeline.send(request("r1", put(key, "v")));
        pipeline.send(request("r2", delete(key)));
        pipeline.results.readValuesToList();
        pipeline.changeEvents();

        pipeline.send(request("r3", delete(key)));

        assertThat(pipeline.outcome().getVersions()).extracting(KeyVersion::getVersion).containsExactly(2L);
        assertThat(pipeline.changeEvents()).isEmpty();
        assertThat(pipeline.kv().get(key).getVersion()).isEqualTo(2L);
    }

    @Test
    void putAfterDeleteGoesOnFromTheKeptVersion() {
        pipeline.send(request("r1", put(key, "v")));
        pipeline.send(request("r2", delete(key)));
        pipeline.send(request("r3", put(key, "again")));

        assertThat(pipeline.results.readValuesToList().get(2).getVersions())
                .extracting(KeyVersion::getVersion).containsExactly(3L);
    }

    @Test
    void compareAndSetWithTheCurrentVersionWrites() {
        pipeline.send(request("r1", put(key, "v1")));
        pipeline.send(request("r2", cas(key, 1L, "v2")));

        Outcome outcome = pipeline.results.readValuesToList().get(1);
        assertThat(outcome.getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
        assertThat(outcome.getVersions()).extracting(KeyVersion::getVersion).containsExactly(2L);
        assertThat(pipeline.kv().get(key).getValue()).isEqualTo("v2");
    }

    @Test
    void compareAndSetWithAnotherVersionIsRejectedAndWritesNothing() {
        pipeline.send(request("r1", put(key, "v1")));
        pipeline.send(request("r2", put(key, "v2")));
        pipeline.changeEvents();
        pipeline.results.readValuesToList();

        pipeline.send(request("r3", cas(key, 1L, "lost update")));

        Outcome outcome = pipeline.outcome();
        assertThat(outcome.getStatus()).isEqualTo(OutcomeStatus.REJECTED);
        assertThat(outcome.getReason()).isEqualTo(RejectReason.VERSION_MISMATCH);
        assertThat(outcome.getFailedOp()).isZero();
        assertThat(outcome.getDetail()).contains("expected version 1").contains("found version 2");
        assertThat(outcome.getVersions()).isEmpty();
        assertThat(pipeline.changeEvents()).isEmpty();
        assertThat(pipeline.kv().get(key).getValue()).isEqualTo("v2");
    }

    @Test
    void compareAndSetExpectingAbsenceCreatesOnceOnly() {
        pipeline.send(request("r1", cas(key, null, "first")));
        pipeline.send(request("r2", cas(key, null, "second")));

        List<Outcome> outcomes = pipeline.results.readValuesToList();
        assertThat(outcomes.get(0).getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
        assertThat(outcomes.get(0).getVersions()).extracting(KeyVersion::getVersion).containsExactly(1L);
        assertThat(outcomes.get(1).getStatus()).isEqualTo(OutcomeStatus.REJECTED);
        assertThat(outcomes.get(1).getReason()).isEqualTo(RejectReason.VERSION_MISMATCH);
        assertThat(outcomes.get(1).getDetail()).contains("absent");
        assertThat(pipeline.kv().get(key).getValue()).isEqualTo("first");
    }

    @Test
    void compareAndSetExpectingVersionZeroMatchesANeverWrittenKey() {
        pipeline.send(request("r1", cas(key, 0L, "created")));

        assertThat(pipeline.outcome().getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
    }

    @Test
    void aDeletedKeyIsAbsentButKeepsItsVersionForCompareAndSet() {
        pipeline.send(request("r1", put(key, "v")));
        pipeline.send(request("r2", delete(key)));
        pipeline.results.readValuesToList();

        pipeline.send(request("r3", cas(key, 0L, "x")));
        pipeline.send(request("r4", cas(key, null, "recreated")));

        List<Outcome> outcomes = pipeline.results.readValuesToList();
        assertThat(outcomes.get(0).getReason()).isEqualTo(RejectReason.VERSION_MISMATCH);
        assertThat(outcomes.get(1).getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
        assertThat(outcomes.get(1).getVersions()).extracting(KeyVersion::getVersion).containsExactly(3L);
    }

    @Test
    void compareAndSetWithANullValueDeletesOnMatch() {
        pipeline.send(request("r1", put(key, "v")));
        pipeline.send(request("r2", cas(key, 1L, null)));

        assertThat(pipeline.results.readValuesToList().get(1).getVersions())
                .extracting(KeyVersion::getVersion).containsExactly(2L);
        assertThat(pipeline.changeEvents()).last().satisfies(event -> {
            assertThat(event.getValue()).isNull();
            assertThat(event.getVersion()).isEqualTo(2L);
        });
        assertThat(pipeline.kv().get(key).getValue()).isNull();
    }

    @Test
    void addCountsFromZeroOnAnAbsentKeyAndWritesDecimal() {
        pipeline.send(request("r1", add(key, 100)));
        pipeline.send(request("r2", add(key, -30)));

        assertThat(pipeline.changeEvents()).extracting(ChangeEvent::getValue).containsExactly("100", "70");
        assertThat(pipeline.results.readValuesToList().get(1).getVersions())
                .extracting(KeyVersion::getVersion).containsExactly(2L);
    }

    @Test
    void aGuardedDebitPassesDownToTheFloorAndIsRejectedBelowItWritingNothing() {
        pipeline.send(request("r1", put(key, "50")));
        pipeline.send(request("r2", add(key, -50, 0L)));
        pipeline.send(request("r3", add(key, -1, 0L)));

        List<Outcome> outcomes = pipeline.results.readValuesToList();
        assertThat(outcomes.get(1).getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
        Outcome below = outcomes.get(2);
        assertThat(below.getStatus()).isEqualTo(OutcomeStatus.REJECTED);
        assertThat(below.getReason()).isEqualTo(RejectReason.BELOW_FLOOR);
        assertThat(below.getFailedOp()).isZero();
        assertThat(below.getDetail()).contains("-1").contains("floor 0");
        assertThat(pipeline.changeEvents()).extracting(ChangeEvent::getValue).containsExactly("50", "0");
        assertThat(pipeline.kv().get(key).getValue()).isEqualTo("0");
        assertThat(pipeline.kv().get(key).getVersion()).isEqualTo(2L);
    }

    @Test
    void addToTextIsRejectedAsNotANumber() {
        pipeline.send(request("r1", put(key, "twelve")));
        pipeline.send(request("r2", add(key, 1)));

        Outcome outcome = pipeline.results.readValuesToList().get(1);
        assertThat(outcome.getReason()).isEqualTo(RejectReason.NOT_A_NUMBER);
        assertThat(pipeline.kv().get(key).getValue()).isEqualTo("twelve");
    }

    @Test
    void addBeyondSixtyFourBitsIsRejectedAsInvalid() {
        pipeline.send(request("r1", put(key, Long.toString(Long.MAX_VALUE))));
        pipeline.send(request("r2", add(key, 1)));

        Outcome outcome = pipeline.results.readValuesToList().get(1);
        assertThat(outcome.getStatus()).isEqualTo(OutcomeStatus.REJECTED);
        assertThat(outcome.getReason()).isEqualTo(RejectReason.INVALID_REQUEST);
        assertThat(outcome.getDetail()).contains("overflows");
        assertThat(pipeline.kv().get(key).getValue()).isEqualTo(Long.toString(Long.MAX_VALUE));
    }

    @Test
    void checkReportsTheVersionAndWritesNothing() {
        pipeline.send(request("r1", put(key, "v")));
        long offset = pipeline.send(request("r2", check(key, 1L)));
        pipeline.send(request("r3", check(key, 7L)));
        pipeline.send(request("r4", check(Keys.here("never:"), null)));

        List<Outcome> outcomes = pipeline.results.readValuesToList();
        assertThat(outcomes.get(1).getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
        assertThat(outcomes.get(1).getVersions()).containsExactly(new KeyVersion(key, 1L, Keys.HERE, -1L));
        assertThat(outcomes.get(2).getReason()).isEqualTo(RejectReason.VERSION_MISMATCH);
        assertThat(outcomes.get(3).getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
        assertThat(outcomes.get(3).getVersions()).extracting(KeyVersion::getVersion).containsExactly(0L);
        assertThat(pipeline.changeEvents()).hasSize(1);
        assertThat(pipeline.kv().get(key).getVersion()).isEqualTo(1L);
    }

    @Test
    void aFireAndForgetRequestIsAnsweredWhereItsRequestIdHashes() {
        pipeline.send(Requests.fireAndForget("ff-1", put(key, "v")));

        List<Pipeline.RoutedReply> replies = pipeline.replies();
        assertThat(replies).singleElement().satisfies(reply -> assertThat(reply.partition()).isEqualTo(
                io.kvpipe.producers.partitioner.ConsistentHashPartitioner.partitionFor("ff-1", Pipeline.PROBED_PARTITIONS)));
    }
}
