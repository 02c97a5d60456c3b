package io.kvpipe.app.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.app.topology.AppliedOffset;
import io.kvpipe.avro.VersionedValue;
import io.kvpipe.schemas.ReadPosition;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

class PositionWaitTest {

    private long nowNanos;
    private final List<Long> sleeps = new ArrayList<>();
    private final Deque<LocalRead> reads = new ArrayDeque<>();
    private int readCount;
    private final PositionWait wait = new PositionWait(() -> nowNanos, ms -> {
        sleeps.add(ms);
        nowNanos += ms * 1_000_000;
    });

    private LocalRead read() {
        readCount++;
        // The last read repeats: the store stays where it got to.
        return reads.size() > 1 ? reads.poll() : reads.peek();
    }

    private static LocalRead at(long version) {
        return LocalRead.found(VersionedValue.newBuilder().setValue("v").setVersion(version).setRequestId("r")
                .setUpdatedAtMs(0).build(), true, 0L);
    }

    @Test
    void aStoreAlreadyAtTheVersionOrLaterAnswersAtOnce() throws Exception {
        reads.add(at(5));
        LocalRead result = wait.forVersion(this::read, ReadPosition.atVersion(2, 4), Duration.ofSeconds(2));
        assertThat(result.value().getVersion()).isEqualTo(5);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void theKeyIsReReadUntilItReachesTheVersion() throws Exception {
        reads.add(LocalRead.found(null, true, 0L));
        reads.add(at(3));
        reads.add(at(4));
        LocalRead result = wait.forVersion(this::read, ReadPosition.atVersion(2, 4), Duration.ofSeconds(2));
        assertThat(result.value().getVersion()).isEqualTo(4);
        assertThat(readCount).isEqualTo(3);
        assertThat(sleeps).containsExactly(5L, 10L);
    }

    @Test
    void anAbsentKeyIsAtVersionZero() throws Exception {
        reads.add(LocalRead.found(null, false, 3L));
        LocalRead result = wait.forVersion(this::read, ReadPosition.atVersion(2, 0), Duration.ofSeconds(2));
        assertThat(result.outcome()).isEqualTo(LocalRead.Outcome.ABSENT);
    }

    @Test
    void aStoreThatDoesNotGetThereWithinTheWaitIsBehindAndSaysWhereItIs() throws Exception {
        reads.add(at(3));
        LocalRead result = wait.forVersion(this::read, ReadPosition.atVersion(2, 4), Duration.ofMillis(300));
        assertThat(result.outcome()).isEqualTo(LocalRead.Outcome.BEHIND);
        assertThat(result.detail()).contains("version 3").contains("2:v4").contains("300 ms");
        assertThat(sleeps.stream().mapToLong(Long::longValue).sum()).isEqualTo(300);
        assertThat(sleeps).allMatch(ms -> ms <= 50);
    }

    @Test
    void aReadThatCannotBeServedHereIsHandedBackAtOnce() throws Exception {
        reads.add(LocalRead.notHere("partition 2 is not active and running here"));
        LocalRead result = wait.forVersion(this::read, ReadPosition.atVersion(2, 4), Duration.ofSeconds(2));
        assertThat(result.outcome()).isEqualTo(LocalRead.Outcome.NOT_HERE);
        assertThat(sleeps).isEmpty();
    }

    private static LocalRead applied(long offset) {
        return LocalRead.found(AppliedOffset.entry(offset, 0L), false, 2L);
    }

    @Test
    void anOffsetIsReachedWhenTheAppliedOffsetEntryIsAtItOrBeyond() throws Exception {
        reads.add(LocalRead.found(null, true, 0L)); // nothing applied yet: no entry
        reads.add(applied(40));
        reads.add(applied(41));
        LocalRead result = wait.forOffset(this::read, new ReadPosition(2, 41), Duration.ofSeconds(2));
        assertThat(AppliedOffset.of(result.value())).isEqualTo(41);
        assertThat(readCount).isEqualTo(3);
        assertThat(sleeps).containsExactly(5L, 10L);
    }

    @Test
    void aStoreThatDoesNotReachTheOffsetWithinTheWaitIsBehindAndSaysWhereItIs() throws Exception {
        reads.add(applied(40));
        LocalRead result = wait.forOffset(this::read, new ReadPosition(2, 41), Duration.ofMillis(200));
        assertThat(result.outcome()).isEqualTo(LocalRead.Outcome.BEHIND);
        assertThat(result.detail()).contains("up to offset 40").contains("2:41").contains("200 ms");
    }

    @Test
    void anOffsetWaitOnAStoreNotHereIsHandedBackAtOnce() throws Exception {
        reads.add(LocalRead.notHere("partition 2 is not active and running here"));
        LocalRead result = wait.forOffset(this::read, new ReadPosition(2, 0), Duration.ofSeconds(2));
        assertThat(result.outcome()).isEqualTo(LocalRead.Outcome.NOT_HERE);
        assertThat(sleeps).isEmpty();
    }
}
