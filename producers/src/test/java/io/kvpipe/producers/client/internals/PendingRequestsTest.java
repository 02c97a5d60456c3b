package io.kvpipe.producers.client.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvpipe.producers.client.RequestTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PendingRequestsTest {

    @Test
    void theSweepPeriodIsATwentiethOfTheTimeoutWithinBounds() {
        assertThat(PendingRequests.tick(Duration.ofSeconds(30))).isEqualTo(Duration.ofMillis(200));
        assertThat(PendingRequests.tick(Duration.ofSeconds(1))).isEqualTo(Duration.ofMillis(50));
        assertThat(PendingRequests.tick(Duration.ofMillis(50))).isEqualTo(Duration.ofMillis(10));
    }

    @Test
    void aRetryWhilePendingRestartsTheDeadlineAndSharesTheFuture() throws Exception {
        AtomicLong nanos = new AtomicLong();
        try (PendingRequests pending = new PendingRequests(Duration.ofMillis(400), null, "test-timeouts", nanos::get)) {
            PendingRequests.Pending first = pending.register("r").pending();
            nanos.addAndGet(Duration.ofMillis(250).toNanos());
            PendingRequests.Pending again = pending.register("r").pending();
            assertThat(again).isSameAs(first);

            nanos.addAndGet(Duration.ofMillis(250).toNanos()); // 500 ms after the first send, 250 after the retry
            pending.sweep();
            assertThat(first.future()).isNotDone();

            nanos.addAndGet(Duration.ofMillis(150).toNanos()); // 400 ms after the retry
            pending.sweep();
            assertThat(first.future()).isCompletedExceptionally();
            assertThatThrownBy(() -> first.future().get(5, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(RequestTimeoutException.class);
            assertThat(pending.size()).isZero();
        }
    }

    @Test
    void aRequestCompletesOnce() {
        try (PendingRequests pending = new PendingRequests(Duration.ofSeconds(30), null, "test-timeouts")) {
            PendingRequests.Pending p = pending.register("r").pending();
            assertThat(pending.fail(p, new IllegalStateException("first"))).isTrue();
            assertThat(pending.fail(p, new IllegalStateException("second"))).isFalse();
            assertThat(p.future()).isCompletedExceptionally();
            assertThat(pending.get("r")).isNull();
        }
    }

    @Test
    void onlyTheLatestSendAttemptsFailureFailsTheRequest() {
        try (PendingRequests pending = new PendingRequests(Duration.ofSeconds(30), null, "test-timeouts")) {
            PendingRequests.Attempt first = pending.register("r");
            PendingRequests.Attempt retry = pending.register("r");
            assertThat(first.generation()).isEqualTo(1);
            assertThat(retry.generation()).isEqualTo(2);

            assertThat(pending.failSend(first, new IllegalStateException("stale"))).isFalse();
            assertThat(retry.future()).isNotDone();
            assertThat(pending.get("r")).isSameAs(retry.pending());

            assertThat(pending.failSend(retry, new IllegalStateException("current"))).isTrue();
            assertThat(retry.future()).isCompletedExceptionally();
        }
    }

    @Test
    void aSendAfterTheRequestCompletedStartsAFreshRequest() {
        try (PendingRequests pending = new PendingRequests(Duration.ofSeconds(30), null, "test-timeouts")) {
            PendingRequests.Attempt first = pending.register("r");
            pending.fail(first.pending(), new IllegalStateException("gone"));
            PendingRequests.Attempt again = pending.register("r");
            assertThat(again.pending()).isNotSameAs(first.pending());
            assertThat(again.generation()).isEqualTo(1);
        }
    }
}
