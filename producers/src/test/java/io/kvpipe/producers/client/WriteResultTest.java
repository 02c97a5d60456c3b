package io.kvpipe.producers.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.avro.KeyVersion;
import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.OutcomeStatus;
import io.kvpipe.schemas.ReadPosition;
import java.util.List;
import io.kvpipe.schemas.serde.AvroDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WriteResultTest {

    @BeforeAll
    static void trustTheWireClasses() {
        // Avro 1.12 loads io.kvpipe.avro classes (for the versions default) only once the serde
        // has added that package to its trusted ones.
        new AvroDeserializer<>(null);
    }

    @Test
    void aCommittedOutcomeListsEachWrittenKeyWithItsPosition() {
        WriteResult r = WriteResult.of(Outcome.newBuilder()
                .setRequestId("r1")
                .setStatus(OutcomeStatus.COMMITTED)
                .setTransactionId("t1")
                .setVersions(List.of(
                        KeyVersion.newBuilder().setKey("a").setVersion(3).setPartition(2).setOffset(118).build(),
                        KeyVersion.newBuilder().setKey("b").setVersion(1).setPartition(5).setOffset(7).build()))
                .setTimestampMs(99)
                .build());

        assertThat(r.isCommitted()).isTrue();
        assertThat(r.writes()).containsExactly(new WrittenKey("a", 3, 2, 118), new WrittenKey("b", 1, 5, 7));
        assertThat(r.written("b").orElseThrow().position().token()).isEqualTo("5:7");
        assertThat(r.written("c")).isEmpty();
        assertThat(r.reason()).isEmpty();
        assertThat(r.failedOp()).isEmpty();
        assertThat(r.transactionId()).contains("t1");
        assertThat(r.timestampMs()).isEqualTo(99);
        assertThat(r).hasToString("committed r1 transaction=t1 a version=3 position=2:118 b version=1 position=5:7");
    }

    @Test
    void aKeyWithNoOffsetIsReadBackByItsVersion() {
        // Offset -1: a check, a delete of an absent key, or a cross-partition write whose offset
        // the outcome could not know; no applied offset names it, the version is known.
        WriteResult r = WriteResult.of(Outcome.newBuilder()
                .setRequestId("r1")
                .setStatus(OutcomeStatus.COMMITTED)
                .setVersions(List.of(
                        KeyVersion.newBuilder().setKey("checked").setVersion(4).setPartition(2).setOffset(-1).build(),
                        KeyVersion.newBuilder().setKey("never").setVersion(0).setPartition(6).setOffset(-1).build()))
                .setTimestampMs(99)
                .build());

        WrittenKey checked = r.written("checked").orElseThrow();
        assertThat(checked.position()).isEqualTo(ReadPosition.atVersion(2, 4));
        assertThat(checked.positionToken()).isEqualTo("2:v4");
        assertThat(r.written("never").orElseThrow().positionToken()).isEqualTo("6:v0");
        assertThat(r).hasToString("committed r1 checked version=4 position=2:v4 never version=0 position=6:v0");
    }

    @Test
    void rejectedAndAbortedOutcomesCarryTheirReason() {
        WriteResult rejected = WriteResult.of(Outcome.newBuilder().setRequestId("r2").setStatus(OutcomeStatus.REJECTED)
                .setReason(io.kvpipe.avro.RejectReason.BELOW_FLOOR).setFailedOp(1).setDetail("50 < 0")
                .setTimestampMs(1).build());
        assertThat(rejected.status()).isEqualTo(WriteResult.Status.REJECTED);
        assertThat(rejected.reason()).contains(RejectReason.BELOW_FLOOR);
        assertThat(rejected.failedOp()).hasValue(1);
        assertThat(rejected).hasToString("rejected r2 BELOW_FLOOR op=1: 50 < 0");
        // The pipeline's own detail starts with the op it names; the line says it once
        WriteResult locked = WriteResult.of(Outcome.newBuilder().setRequestId("r4").setStatus(OutcomeStatus.ABORTED)
                .setReason(io.kvpipe.avro.RejectReason.LOCK_CONFLICT).setFailedOp(1)
                .setDetail("op 1: the key 'b' is locked by transaction 't'").setTimestampMs(1).build());
        assertThat(locked.detail()).contains("op 1: the key 'b' is locked by transaction 't'");
        assertThat(locked).hasToString("aborted r4 LOCK_CONFLICT op=1: the key 'b' is locked by transaction 't'");

        WriteResult aborted = WriteResult.of(Outcome.newBuilder().setRequestId("r3").setStatus(OutcomeStatus.ABORTED)
                .setReason(io.kvpipe.avro.RejectReason.TIMEOUT).setTimestampMs(1).build());
        assertThat(aborted.status()).isEqualTo(WriteResult.Status.ABORTED);
        assertThat(aborted.isCommitted()).isFalse();
        assertThat(aborted.reason()).contains(RejectReason.TIMEOUT);

        WriteResult noReason = WriteResult.of(Outcome.newBuilder().setRequestId("r4").setStatus(OutcomeStatus.REJECTED)
                .setTimestampMs(1).build());
        assertThat(noReason.reason()).contains(RejectReason.OTHER);
    }

    @Test
    void everyWireReasonHasAClientReason() {
        for (io.kvpipe.avro.RejectReason wire : io.kvpipe.avro.RejectReason.values()) {
            assertThat(RejectReason.of(wire).name()).isEqualTo(wire.name());
        }
    }
}
