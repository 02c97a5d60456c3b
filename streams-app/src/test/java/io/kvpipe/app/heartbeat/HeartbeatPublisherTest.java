package io.kvpipe.app.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.avro.Heartbeat;
import io.kvpipe.avro.PartitionProgress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HeartbeatPublisherTest {

    private static final HeartbeatSettings SETTINGS = HeartbeatSettings.of("app-1", "host-a:7070", "kv-heartbeats");

    private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    private final ProcessingLiveness liveness = new ProcessingLiveness(clock::get);
    private final List<Heartbeat> sent = new ArrayList<>();
    private final AtomicReference<LocalTasks.Snapshot> snapshot = new AtomicReference<>(running(Set.of("t1", "t2")));
    private final HeartbeatPublisher publisher =
            new HeartbeatPublisher(SETTINGS, snapshot::get, liveness, sent::add, clock::get);

    private static LocalTasks.Snapshot running(Set<String> threadsWithActiveTasks) {
        return new LocalTasks.Snapshot(true, "RUNNING", threadsWithActiveTasks,
                List.of(new TaskProgress(0, 41, 2L), new TaskProgress(3, -1, null)),
                List.of(new TaskProgress(1, 99, 7L)));
    }

    private void tickAs(String threadName) {
        Thread current = Thread.currentThread();
        String own = current.getName();
        current.setName(threadName);
        try {
            liveness.tick();
        } finally {
            current.setName(own);
        }
    }

    @Test
    void beatsWhenEveryThreadWithActiveTasksTickedRecently() {
        tickAs("t1");
        tickAs("t2");
        clock.addAndGet(400);

        HeartbeatPublisher.Beat beat = publisher.beatOnce();

        assertThat(beat.wasSent()).isTrue();
        assertThat(sent).hasSize(1);
        Heartbeat hb = sent.get(0);
        assertThat(hb.getInstanceId()).isEqualTo("app-1");
        assertThat(hb.getQueryEndpoint()).isEqualTo("host-a:7070");
        assertThat(hb.getTimestampMs()).isEqualTo(clock.get());
        assertThat(hb.getPrimaries()).containsExactly(new PartitionProgress(0, 41L, 2L), new PartitionProgress(3, -1L, null));
        assertThat(hb.getReplicas()).containsExactly(new PartitionProgress(1, 99L, 7L));
    }

    @Test
    void sequenceGrowsByOneAndStartsAboveAnEarlierRunOfTheSameInstance() {
        tickAs("t1");
        tickAs("t2");
        publisher.beatOnce();
        publisher.beatOnce();
        assertThat(sent.get(1).getSequence()).isEqualTo(sent.get(0).getSequence() + 1);

        // A restart a millisecond later, even after many beats of the first run, starts higher.
        for (int i = 0; i < 500; i++) {
            publisher.beatOnce();
        }
        clock.addAndGet(1);
        List<Heartbeat> restarted = new ArrayList<>();
        new HeartbeatPublisher(SETTINGS, snapshot::get, liveness, restarted::add, clock::get).beatOnce();
        assertThat(restarted.get(0).getSequence()).isGreaterThan(sent.get(sent.size() - 1).getSequence());
    }

    @Test
    void aThreadThatStopsProcessingStopsTheBeatUntilItTicksAgain() {
        tickAs("t1");
        tickAs("t2");
        clock.addAndGet(600);
        tickAs("t1"); // t2 stops ticking
        clock.addAndGet(400); // t2 last ticked exactly 1000 ms ago: still within the bound
        assertThat(publisher.beatOnce().wasSent()).isTrue();

        clock.addAndGet(1); // now 1001 ms
        tickAs("t1");
        HeartbeatPublisher.Beat beat = publisher.beatOnce();
        assertThat(beat.wasSent()).isFalse();
        assertThat(beat.withheldBecause()).contains("t2").doesNotContain("t1");
        assertThat(sent).hasSize(1);

        tickAs("t2");
        assertThat(publisher.beatOnce().wasSent()).isTrue();
        assertThat(sent).hasSize(2);
    }

    @Test
    void aThreadWithActiveTasksThatNeverTickedWithholdsTheBeat() {
        tickAs("t1");
        HeartbeatPublisher.Beat beat = publisher.beatOnce();
        assertThat(beat.wasSent()).isFalse();
        assertThat(beat.withheldBecause()).contains("t2");
    }

    @Test
    void threadsWithoutActiveTasksAndStaleTicksOfOldThreadsDoNotMatter() {
        tickAs("t-old"); // a thread that held tasks once
        clock.addAndGet(10_000);
        tickAs("t1");
        snapshot.set(running(Set.of("t1"))); // t2 holds only standbys now: not listed
        assertThat(publisher.beatOnce().wasSent()).isTrue();
    }

    @Test
    void anInstanceWithNoActiveTasksBeatsToShowItIsThere() {
        snapshot.set(new LocalTasks.Snapshot(true, "RUNNING", Set.of(), List.of(), List.of()));
        assertThat(publisher.beatOnce().wasSent()).isTrue();
        assertThat(sent.get(0).getPrimaries()).isEmpty();
    }

    @Test
    void noBeatUnlessKafkaStreamsIsRunningOrRebalancing() {
        tickAs("t1");
        tickAs("t2");
        snapshot.set(LocalTasks.Snapshot.notRunning("PENDING_ERROR"));
        HeartbeatPublisher.Beat beat = publisher.beatOnce();
        assertThat(beat.wasSent()).isFalse();
        assertThat(beat.withheldBecause()).contains("PENDING_ERROR");

        snapshot.set(new LocalTasks.Snapshot(true, "REBALANCING", Set.of("t1"), List.of(), List.of()));
        assertThat(publisher.beatOnce().wasSent()).isTrue();
    }

    @Test
    void failuresToReadTasksOrToSendWithholdTheBeatAndTheNextBeatTriesAgain() {
        tickAs("t1");
        tickAs("t2");
        LocalTasks broken = () -> {
            throw new IllegalStateException("boom");
        };
        HeartbeatPublisher failingTasks = new HeartbeatPublisher(SETTINGS, broken, liveness, sent::add, clock::get);
        assertThat(failingTasks.beatOnce().withheldBecause()).contains("boom");

        AtomicLong attempts = new AtomicLong();
        HeartbeatPublisher failingSink = new HeartbeatPublisher(SETTINGS, snapshot::get, liveness, hb -> {
            if (attempts.incrementAndGet() == 1) {
                throw new org.apache.kafka.common.errors.TimeoutException("no metadata");
            }
            sent.add(hb);
        }, clock::get);
        assertThat(failingSink.beatOnce().withheldBecause()).contains("no metadata");
        assertThat(failingSink.beatOnce().wasSent()).isTrue();
    }

    @Test
    void settingsRejectNonsense() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SETTINGS.withInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HeartbeatSettings.of(" ", "h:1", "t"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
