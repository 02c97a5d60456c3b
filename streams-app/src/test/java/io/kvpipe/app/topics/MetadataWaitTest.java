package io.kvpipe.app.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetadataWaitTest {

    private long nowNanos;
    private final List<Long> pauses = new ArrayList<>();
    private int calls;
    private final MetadataWait wait = new MetadataWait(() -> nowNanos, ms -> {
        pauses.add(ms);
        nowNanos += ms * 1_000_000;
    });

    @Test
    void aTopicUnknownRightAfterCreationIsAskedForAgainUntilKnown() throws Exception {
        // Unknown twice (the metadata race), then known.
        String answer = wait.<String>until(() -> ++calls < 3 ? null : "described", Duration.ofSeconds(30)).orElseThrow();
        assertThat(answer).isEqualTo("described");
        assertThat(calls).isEqualTo(3);
        assertThat(pauses).containsExactly(MetadataWait.PAUSE_MS, MetadataWait.PAUSE_MS);
    }

    @Test
    void theWaitIsBounded() throws Exception {
        assertThat(wait.until(() -> {
            calls++;
            return null;
        }, Duration.ofMillis(250))).isEmpty();
        assertThat(pauses).containsExactly(100L, 100L, 50L);
        assertThat(calls).isEqualTo(4);
    }

    @Test
    void aRealFailureEndsTheWaitAtOnce() {
        assertThatThrownBy(() -> wait.until(() -> {
            throw new IllegalStateException("not authorized");
        }, Duration.ofSeconds(30))).hasMessage("not authorized");
        assertThat(pauses).isEmpty();
    }
}
