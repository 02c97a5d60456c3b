package io.kvpipe.app.topology;

import static io.kvpipe.app.topology.Requests.add;
import static io.kvpipe.app.topology.Requests.fresh;
import static io.kvpipe.app.topology.Requests.cas;
import static io.kvpipe.app.topology.Requests.put;
import static io.kvpipe.app.topology.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.avro.KeyVersion;
import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.OutcomeStatus;
import io.kvpipe.avro.RejectReason;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A request id is applied at most once, and its retries get the first outcome, for the retention. */
class RetriesTest {

    @TempDir
    Path stateDir;

    private Pipeline pipeline;
    private final String key = Keys.here("counter:");

    @AfterEach
    void stop() {
        pipeline.close();
    }

    @Test
    void aRetryIsAppliedOnceAndGetsTheFirstOutcome() {
        pipeline = new Pipeline(stateDir);
        long offset = pipeline.send(request("once", add(key, 10)));
        pipeline.advance(Duration.ofSeconds(5));
        pipeline.send(request("once", add(key, 10)));

        List<Outcome> outcomes = pipeline.results.readValuesToList();
        assertThat(outcomes).hasSize(2);
        assertThat(outcomes.get(1)).isEqualTo(outcomes.get(0));
        assertThat(outcomes.get(1).getVersions()).containsExactly(new KeyVersion(key, 1L, Keys.HERE, offset));
        assertThat(pipeline.changeEvents()).hasSize(1);
        assertThat(pipeline.kv().get(key).getValue()).isEqualTo("10");
    }

    @Test
    void aFreshFirstSendIsRememberedAndItsRetryGetsTheFirstOutcome() {
        pipeline = new Pipeline(stateDir);
        pipeline.send(fresh(request("fresh", add(key, 10))));
        pipeline.send(request("fresh", add(key, 10)));

        List<Outcome> outcomes = pipeline.results.readValuesToList();
        assertThat(outcomes).hasSize(2);
        assertThat(outcomes.get(1)).isEqualTo(outcomes.get(0));
        assertThat(pipeline.kv().get(key).getValue()).isEqualTo("10");
    }

    @Test
    void aRequestMarkedFreshIsNotSearchedFor() {
        // The sender's promise is taken as given: an id sent twice as fresh breaks it, and is
        // applied twice. (Only the client's own new ids are marked; retries never are.)
        pipeline = new Pipeline(stateDir);
        pipeline.send(fresh(request("reused", add(key, 10))));
        pipeline.send(fresh(request("reused", add(key, 10))));

        assertThat(pipeline.results.readValuesToList()).extracting(Outcome::getStatus)
                .containsExactly(OutcomeStatus.COMMITTED, OutcomeStatus.COMMITTED);
        assertThat(pipeline.kv().get(key).getValue()).isEqualTo("20");
    }

    @Test
    void aRetryIsAnsweredAtTheReplyPartitionItNames() {
        pipeline = new Pipeline(stateDir);
        pipeline.send(request("moved", 2, put(key, "v")));
        pipeline.send(request("moved", 9, put(key, "v")));

        assertThat(pipeline.replyPartitions()).containsExactly(2, 9);
    }

    @Test
    void aRetryOfARejectedRequestIsRejectedAgainEvenWhenItWouldNowSucceed() {
        pipeline = new Pipeline(stateDir);
        pipeline.send(request("w1", put(key, "v1")));
        pipeline.send(request("cas", cas(key, 2L, "v3")));
        pipeline.send(request("w2", put(key, "v2")));
        pipeline.send(request("cas", cas(key, 2L, "v3")));

        List<Outcome> outcomes = pipeline.results.readValuesToList();
        assertThat(outcomes.get(1).getReason()).isEqualTo(RejectReason.VERSION_MISMATCH);
        assertThat(outcomes.get(3)).isEqualTo(outcomes.get(1));
        assertThat(pipeline.kv().get(key).getValue()).isEqualTo("v2");
    }

    @Test
    void aRetryWithinTheRetentionIsStillDeduplicated() {
        pipeline = new Pipeline(stateDir, Duration.ofHours(24));
        pipeline.send(request("r", add(key, 1)));
        pipeline.advance(Duration.ofHours(23));
        pipeline.send(request("r", add(key, 1)));

        assertThat(pipeline.kv().get(key).getValue()).isEqualTo("1");
        assertThat(pipeline.dedup().get("r")).isNotNull();
    }

    @Test
    void outcomesAreForgottenAfterTheRetentionSoALateRetryIsAppliedAgain() {
        pipeline = new Pipeline(stateDir, Duration.ofHours(24));
        pipeline.send(request("r", add(key, 1)));
        pipeline.send(request("kept", add(Keys.here("other:"), 1)));
        assertThat(pipeline.dedup().get("r")).isNotNull();

        pipeline.advance(Duration.ofHours(24).plusSeconds(1));

        assertThat(pipeline.dedup().get("r")).isNull();
        assertThat(pipeline.dedup().get("kept")).isNull();
        pipeline.send(request("r", add(key, 1)));
        List<Outcome> outcomes = pipeline.results.readValuesToList();
        assertThat(outcomes.get(2).getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
        assertThat(outcomes.get(2).getVersions()).extracting(KeyVersion::getVersion).containsExactly(2L);
        assertThat(pipeline.kv().get(key).getValue()).isEqualTo("2");
        assertThat(pipeline.dedup().get("r")).isNotNull();
    }

    @Test
    void onlyOutcomesOlderThanTheRetentionAreForgotten() {
        pipeline = new Pipeline(stateDir, Duration.ofMinutes(10));
        pipeline.send(request("old", put(key, "a")));
        pipeline.advance(Duration.ofMinutes(6));
        pipeline.send(request("young", put(key, "b")));
        pipeline.advance(Duration.ofMinutes(5));

        assertThat(pipeline.dedup().get("old")).isNull();
        assertThat(pipeline.dedup().get("young")).isNotNull();
    }
}
