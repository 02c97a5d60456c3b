package io.kvpipe.app.topology;

import static io.kvpipe.app.topology.Requests.put;
import static io.kvpipe.app.topology.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The processing path proves it is alive: on every record, and every 100 ms of wall-clock time. */
class LivenessTest extends PipelineTest {

    @Test
    void everyRecordTicksEvenBadOnes() {
        pipeline.livenessClock.set(1_000L);
        pipeline.send(request("r", put(Keys.here("k:"), "v")));
        assertThat(lastTick()).isEqualTo(1_000L);

        pipeline.livenessClock.set(2_000L);
        pipeline.sendRaw(null, new byte[] {1, 2, 3});
        assertThat(lastTick()).isEqualTo(2_000L);
    }

    @Test
    void theWallClockPunctuatorTicksWithoutRecords() {
        pipeline.livenessClock.set(5_000L);
        pipeline.advance(Duration.ofMillis(100));
        assertThat(lastTick()).isEqualTo(5_000L);

        pipeline.livenessClock.set(6_000L);
        pipeline.advance(Duration.ofMillis(100));
        assertThat(lastTick()).isEqualTo(6_000L);
    }

    private long lastTick() {
        // The test driver processes on the calling thread.
        return pipeline.liveness.lastTicks().get(Thread.currentThread().getName());
    }
}
