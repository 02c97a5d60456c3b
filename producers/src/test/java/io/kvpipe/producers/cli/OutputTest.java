package io.kvpipe.producers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.avro.KeyVersion;
import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.OutcomeStatus;
import io.kvpipe.avro.RejectReason;
import io.kvpipe.producers.client.WriteResult;
import io.kvpipe.schemas.serde.AvroDeserializer;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OutputTest {

    @BeforeAll
    static void trustTheWireClasses() {
        new AvroDeserializer<>(null); // lets Avro load io.kvpipe.avro classes for defaults
    }

    private static Outcome.Builder outcome(OutcomeStatus status) {
        return Outcome.newBuilder().setRequestId("r").setStatus(status).setTimestampMs(1);
    }

    @Test
    void committed() {
        WriteResult r = WriteResult.of(outcome(OutcomeStatus.COMMITTED).setVersions(List.of(
                KeyVersion.newBuilder().setKey("k").setVersion(3).setPartition(2).setOffset(118).build())).build());
        assertThat(Output.line("k", r)).isEqualTo("committed k version=3 position=2:118");
    }

    @Test
    void committedWithoutAWrite() {
        assertThat(Output.line("k", WriteResult.of(outcome(OutcomeStatus.COMMITTED).build()))).isEqualTo("committed k");
    }

    @Test
    void rejected() {
        WriteResult r = WriteResult.of(outcome(OutcomeStatus.REJECTED).setReason(RejectReason.VERSION_MISMATCH)
                .setDetail("expected 2, found 3").build());
        assertThat(Output.line("k", r)).isEqualTo("rejected k VERSION_MISMATCH: expected 2, found 3");
        WriteResult bare = WriteResult.of(outcome(OutcomeStatus.REJECTED).setReason(RejectReason.BELOW_FLOOR).build());
        assertThat(Output.line("k", bare)).isEqualTo("rejected k BELOW_FLOOR");
    }

    @Test
    void aborted() {
        WriteResult r = WriteResult.of(outcome(OutcomeStatus.ABORTED).setReason(RejectReason.TIMEOUT).build());
        assertThat(Output.line("k", r)).isEqualTo("aborted k TIMEOUT");
    }
}
