package io.kvpipe.producers.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.avro.KeyVersion;
import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.OutcomeStatus;
import io.kvpipe.avro.RejectReason;
import io.kvpipe.producers.client.Op;
import io.kvpipe.producers.client.WriteResult;
import io.kvpipe.schemas.serde.AvroDeserializer;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TxnOutputTest {

    private static final List<Op> OPS = List.of(Op.add("a", -50, 0), Op.put("b", "x"), Op.check("c", 2));
    private static final String NL = System.lineSeparator();

    @BeforeAll
    static void trustTheWireClasses() {
        new AvroDeserializer<>(null); // lets Avro load io.kvpipe.avro classes for defaults
    }

    private static WriteResult committed() {
        return WriteResult.of(Outcome.newBuilder().setRequestId("r-1").setStatus(OutcomeStatus.COMMITTED)
                .setTransactionId("r-1").setTimestampMs(1)
                .setVersions(List.of(
                        KeyVersion.newBuilder().setKey("a").setVersion(4).setPartition(2).setOffset(118).build(),
                        KeyVersion.newBuilder().setKey("b").setVersion(1).setPartition(5).setOffset(-1).build()))
                .build());
    }

    private static WriteResult aborted() {
        return WriteResult.of(Outcome.newBuilder().setRequestId("r-2").setStatus(OutcomeStatus.ABORTED)
                .setTransactionId("r-2").setReason(RejectReason.LOCK_CONFLICT).setFailedOp(1)
                .setDetail("b is locked by r-9").setTimestampMs(1).build());
    }

    @Test
    void aCommitListsEachOpWithItsKeysNewVersion() {
        assertThat(TxnOutput.text(OPS, committed())).isEqualTo("committed r-1" + NL
                + "  add a version=4 position=2:118" + NL
                + "  put b version=1 position=5:v1" + NL // offset -1: read back by version
                + "  check c");
    }

    @Test
    void anAbortIsOneLineNamingTheFailedOp() {
        assertThat(TxnOutput.text(OPS, aborted())).isEqualTo("aborted r-2 LOCK_CONFLICT op=1 put b: b is locked by r-9");
        WriteResult bare = WriteResult.of(Outcome.newBuilder().setRequestId("r-3").setStatus(OutcomeStatus.REJECTED)
                .setReason(RejectReason.INVALID_REQUEST).setFailedOp(7).setTimestampMs(1).build());
        assertThat(TxnOutput.text(OPS, bare)).isEqualTo("rejected r-3 INVALID_REQUEST");
    }

    @Test
    void theDetailDoesNotNameTheFailedOpASecondTime() {
        WriteResult overdraft = WriteResult.of(Outcome.newBuilder().setRequestId("r-4").setStatus(OutcomeStatus.ABORTED)
                .setReason(RejectReason.BELOW_FLOOR).setFailedOp(0).setDetail("op 0: 10 + -30 = -20 is below the floor 0")
                .setTimestampMs(1).build());
        assertThat(TxnOutput.text(OPS, overdraft))
                .isEqualTo("aborted r-4 BELOW_FLOOR op=0 add a: 10 + -30 = -20 is below the floor 0");
    }

    @Test
    void json() {
        assertThat(TxnOutput.json(OPS, committed())).isEqualTo("{\"status\":\"committed\",\"requestId\":\"r-1\","
                + "\"transactionId\":\"r-1\",\"ops\":["
                + "{\"op\":\"add\",\"key\":\"a\",\"version\":4,\"partition\":2,\"position\":\"2:118\"},"
                + "{\"op\":\"put\",\"key\":\"b\",\"version\":1,\"partition\":5,\"position\":\"5:v1\"},"
                + "{\"op\":\"check\",\"key\":\"c\"}]}");
        assertThat(TxnOutput.json(OPS, aborted())).isEqualTo("{\"status\":\"aborted\",\"requestId\":\"r-2\","
                + "\"transactionId\":\"r-2\",\"reason\":\"LOCK_CONFLICT\",\"failedOp\":1,\"failedKey\":\"b\","
                + "\"detail\":\"b is locked by r-9\"}");
    }
}
