package io.kvpipe.app.topology;

import static io.kvpipe.app.topology.Requests.cas;
import static io.kvpipe.app.topology.Requests.put;
import static io.kvpipe.app.topology.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.avro.OutcomeStatus;
import io.kvpipe.avro.VersionedValue;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The kv store's {@link AppliedOffset} entry, which read-your-writes reads wait on: it names the
 * offset of the last requests record whose step wrote to the store, and follows that step's writes
 * in the changelog (so a replica that has it has them).
 */
class AppliedOffsetTest extends PipelineTest {

    private final String key = Keys.here("user:");
    private final String other = Keys.on(Keys.HERE, "other:", 1).get(0);

    private long applied() {
        return AppliedOffset.of(pipeline.kv().get(AppliedOffset.KEY));
    }

    @Test
    void aStoreThatAppliedNothingHasNoEntry() {
        assertThat(pipeline.kv().get(AppliedOffset.KEY)).isNull();
        assertThat(applied()).isEqualTo(-1L);
    }

    @Test
    void aCommittedWriteMovesItToItsOffsetAfterTheWriteInTheChangelog() {
        long first = pipeline.send(request("r1", put(key, "a")));
        long second = pipeline.send(request("r2", put(key, "b")));

        assertThat(applied()).isEqualTo(second).isGreaterThan(first);
        assertThat(pipeline.kvChangelogKeys()).containsExactly(key, AppliedOffset.KEY, key, AppliedOffset.KEY);
        VersionedValue entry = pipeline.kv().get(AppliedOffset.KEY);
        assertThat(entry.getValue()).isNull();
        assertThat(entry.getRequestId()).isEmpty();
    }

    @Test
    void aStepThatWroteNothingLeavesItWhereItWas() {
        long written = pipeline.send(request("r1", put(key, "a")));
        assertThat(pipeline.outcome().getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
        pipeline.kvChangelogKeys();

        pipeline.send(request("r2", cas(key, 7L, "b")));

        assertThat(pipeline.outcome().getStatus()).isEqualTo(OutcomeStatus.REJECTED);
        assertThat(applied()).isEqualTo(written);
        assertThat(pipeline.kvChangelogKeys()).isEmpty();
    }

    @Test
    void aBatchMovesItOnceToTheBatchsOffsetAfterAllItsWrites() {
        long batch = pipeline.sendBatch(request("r1", put(key, "a")), request("r2", cas(key, 7L, "x")),
                request("r3", put(other, "b")));

        assertThat(applied()).isEqualTo(batch);
        assertThat(pipeline.kvChangelogKeys()).containsExactly(key, other, AppliedOffset.KEY);
    }

    @Test
    void noDataKeyCanBeTheEntrysKey() {
        long written = pipeline.send(request("r1", put(key, "a")));
        assertThat(pipeline.outcome().getStatus()).isEqualTo(OutcomeStatus.COMMITTED);

        pipeline.send(request("r2", put(AppliedOffset.KEY, "overwrite")));

        assertThat(pipeline.outcome().getStatus()).isEqualTo(OutcomeStatus.REJECTED);
        assertThat(applied()).isEqualTo(written);
    }

    @Test
    void aDecisionsWritesAreFollowedByTheEntryAgainSoCompactionCannotLeaveAWriteBehindIt() {
        // A one-phase write of the key at an offset, then a cross-partition decision that writes it
        // again: the entry's last changelog record must follow the decision's write, or compaction
        // (which keeps each key's last record) could drop the one-phase write from before the entry.
        long written = pipeline.send(request("r1", put(key, "a")));
        pipeline.kvChangelogKeys();
        pipeline.sendProtocol(TwoPhaseCommitTest.prepare("t1", 3, pipeline.driverWallClock() + 60_000, List.of(0),
                put(key, "b")));
        pipeline.protocolSent();

        pipeline.sendProtocol(TwoPhaseCommitTest.decision("t1", 3, true, key));

        assertThat(pipeline.kv().get(key).getValue()).isEqualTo("b");
        assertThat(pipeline.kvChangelogKeys()).containsExactly(key, AppliedOffset.KEY);
        assertThat(applied()).as("a protocol step leaves the offset where it was").isEqualTo(written);
    }

    @Test
    void aPrepareNamingTheEmptyKeyIsDeadLetteredAndLocksNothing() {
        pipeline.sendProtocol(TwoPhaseCommitTest.prepare("t2", 3, pipeline.driverWallClock() + 60_000, List.of(0),
                put(AppliedOffset.KEY, "data")));

        assertThat(pipeline.deadLetters.readValuesToList()).singleElement()
                .satisfies(letter -> assertThat(letter.getDetail()).contains("names an empty key"));
        assertThat(pipeline.protocolSent()).isEmpty();
        assertThat(pipeline.locks().approximateNumEntries()).isZero();
    }
}
