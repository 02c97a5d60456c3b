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
import java.util.List;
import org.junit.jupiter.api.Test;

/** Multi-op requests whose keys are all this partition's: one atomic step (cross-partition ones: TwoPhaseCommitTest). */
class TransactionsTest extends PipelineTest {

    private final List<String> keys = Keys.on(Keys.HERE, "acct:", 3);

    @Test
    void aSinglePartitionTransactionCommitsEveryOpInOneStep() {
        pipeline.send(request("setup", put(keys.get(0), "100"), put(keys.get(2), "gone soon")));
        pipeline.results.readValuesToList();
        pipeline.changeEvents();

        long offset = pipeline.send(request("tx", add(keys.get(0), -40, 0L), add(keys.get(1), 40),
                delete(keys.get(2))));

        Outcome outcome = pipeline.outcome();
        assertThat(outcome.getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
        assertThat(outcome.getTransactionId()).isEqualTo("tx");
        assertThat(outcome.getVersions()).containsExactly(
                new KeyVersion(keys.get(0), 2L, Keys.HERE, offset),
                new KeyVersion(keys.get(1), 1L, Keys.HERE, offset),
                new KeyVersion(keys.get(2), 2L, Keys.HERE, offset));
        assertThat(pipeline.changeEvents())
                .extracting(ChangeEvent::getKey, ChangeEvent::getValue, ChangeEvent::getVersion, ChangeEvent::getRequestId)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(keys.get(0), "60", 2L, "tx"),
                        org.assertj.core.groups.Tuple.tuple(keys.get(1), "40", 1L, "tx"),
                        org.assertj.core.groups.Tuple.tuple(keys.get(2), null, 2L, "tx"));
        assertThat(pipeline.kv().get(keys.get(0)).getValue()).isEqualTo("60");
        assertThat(pipeline.kv().get(keys.get(1)).getValue()).isEqualTo("40");
        assertThat(pipeline.kv().get(keys.get(2)).getValue()).isNull();
    }

    @Test
    void aFailingOpLeavesEveryKeyAsItWas() {
        pipeline.send(request("setup", put(keys.get(0), "10"), put(keys.get(1), "0")));
        pipeline.results.readValuesToList();
        pipeline.changeEvents();

        // The first two ops would succeed alone; the third fails, so none is applied.
        pipeline.send(request("tx", add(keys.get(1), 50), put(keys.get(2), "new"), add(keys.get(0), -50, 0L)));

        Outcome outcome = pipeline.outcome();
        assertThat(outcome.getStatus()).isEqualTo(OutcomeStatus.REJECTED);
        assertThat(outcome.getReason()).isEqualTo(RejectReason.BELOW_FLOOR);
        assertThat(outcome.getFailedOp()).isEqualTo(2);
        assertThat(outcome.getVersions()).isEmpty();
        assertThat(pipeline.changeEvents()).isEmpty();
        assertThat(pipeline.kv().get(keys.get(0)).getValue()).isEqualTo("10");
        assertThat(pipeline.kv().get(keys.get(1)).getValue()).isEqualTo("0");
        assertThat(pipeline.kv().get(keys.get(1)).getVersion()).isEqualTo(1L);
        assertThat(pipeline.kv().get(keys.get(2))).isNull();
    }

    @Test
    void checksGuardTheWritesOfATransaction() {
        pipeline.send(request("setup", put(keys.get(0), "config-v1")));
        pipeline.send(request("tx-ok", check(keys.get(0), 1L), cas(keys.get(1), null, "derived")));
        pipeline.send(request("tx-stale", check(keys.get(0), 0L), put(keys.get(2), "never")));

        List<Outcome> outcomes = pipeline.results.readValuesToList();
        assertThat(outcomes.get(1).getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
        assertThat(outcomes.get(1).getVersions()).extracting(KeyVersion::getVersion).containsExactly(1L, 1L);
        assertThat(outcomes.get(2).getReason()).isEqualTo(RejectReason.VERSION_MISMATCH);
        assertThat(outcomes.get(2).getFailedOp()).isZero();
        assertThat(pipeline.kv().get(keys.get(2))).isNull();
    }
}
