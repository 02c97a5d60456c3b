package io.kvpipe.app.topology;

import static io.kvpipe.app.topology.Requests.add;
import static io.kvpipe.app.topology.Requests.cas;
import static io.kvpipe.app.topology.Requests.delete;
import static io.kvpipe.app.topology.Requests.put;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.avro.Operation;
import io.kvpipe.avro.RejectReason;
import io.kvpipe.avro.VersionedValue;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Edges of the decision rules that the topology tests do not reach. */
class OnePhaseCommitTest {

    private final Map<String, VersionedValue> state = new HashMap<>();

    @Test
    void numbersAreSignedAsciiDecimalsOfSixtyFourBits() {
        assertThat(OnePhaseCommit.parseDecimal("42")).isEqualTo(42L);
        assertThat(OnePhaseCommit.parseDecimal("-42")).isEqualTo(-42L);
        assertThat(OnePhaseCommit.parseDecimal("+42")).isEqualTo(42L);
        assertThat(OnePhaseCommit.parseDecimal("007")).isEqualTo(7L);
        assertThat(OnePhaseCommit.parseDecimal("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
        assertThat(OnePhaseCommit.parseDecimal("9223372036854775808")).isNull();
        assertThat(OnePhaseCommit.parseDecimal("")).isNull();
        assertThat(OnePhaseCommit.parseDecimal(" 1")).isNull();
        assertThat(OnePhaseCommit.parseDecimal("1.0")).isNull();
        assertThat(OnePhaseCommit.parseDecimal("1e3")).isNull();
        assertThat(OnePhaseCommit.parseDecimal("\u0663")).as("ARABIC-INDIC DIGIT THREE").isNull();
    }

    @Test
    void aValueBeyondSixtyFourBitsIsNotANumber() {
        state.put("k", new VersionedValue("99999999999999999999", 1L, "r0", null, 0L));

        assertThat(decide(add("k", 1))).isInstanceOfSatisfying(OnePhaseCommit.Reject.class,
                reject -> assertThat(reject.reason()).isEqualTo(RejectReason.NOT_A_NUMBER));
    }

    @Test
    void addingToADeletedKeyStartsFromZeroAndGoesOnFromItsVersion() {
        state.put("k", new VersionedValue(null, 4L, "r0", null, 0L));

        assertThat(decide(add("k", -3))).isInstanceOfSatisfying(OnePhaseCommit.Commit.class, commit -> {
            assertThat(commit.writes()).singleElement().satisfies(write -> {
                assertThat(write.state().getValue()).isEqualTo("-3");
                assertThat(write.state().getVersion()).isEqualTo(5L);
            });
        });
    }

    @Test
    void aFloorIsInclusiveAndAnAddWithoutOneMayGoNegative() {
        state.put("k", new VersionedValue("10", 1L, "r0", null, 0L));

        assertThat(decide(add("k", -10, 0L))).isInstanceOf(OnePhaseCommit.Commit.class);
        assertThat(decide(add("k", -11, 0L))).isInstanceOf(OnePhaseCommit.Reject.class);
        assertThat(decide(add("k", -11))).isInstanceOf(OnePhaseCommit.Commit.class);
        assertThat(decide(add("k", Long.MIN_VALUE))).isInstanceOf(OnePhaseCommit.Commit.class);
    }

    @Test
    void compareAndSetDeletingAnAbsentKeyWritesNothing() {
        assertThat(decide(cas("k", null, null))).isInstanceOfSatisfying(OnePhaseCommit.Commit.class, commit -> {
            assertThat(commit.writes()).isEmpty();
            assertThat(commit.versions()).singleElement().satisfies(v -> assertThat(v.getVersion()).isZero());
        });
    }

    @Test
    void aRejectionNamesTheFirstFailingOp() {
        state.put("a", new VersionedValue("text", 1L, "r0", null, 0L));

        assertThat(decide(put("x", "1"), delete("y"), add("a", 1), cas("z", 9L, "v")))
                .isInstanceOfSatisfying(OnePhaseCommit.Reject.class, reject -> {
                    assertThat(reject.failedOp()).isEqualTo(2);
                    assertThat(reject.reason()).isEqualTo(RejectReason.NOT_A_NUMBER);
                });
    }

    @Test
    void newStatesCarryTheRequestAndTheTime() {
        assertThat(decide(put("k", "v"))).isInstanceOfSatisfying(OnePhaseCommit.Commit.class, commit ->
                assertThat(commit.writes().get(0).state()).isEqualTo(new VersionedValue("v", 1L, "req", null, 77L)));
    }

    private OnePhaseCommit.Decision decide(Operation... ops) {
        return OnePhaseCommit.decide(List.of(ops), state::get, "req", 0, 0L, 77L);
    }
}
