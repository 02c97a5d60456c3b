package io.kvpipe.producers.client.internals;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.producers.client.RequestTimeoutException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
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
        try (PendingRequests pending = new PendingRequests(Duration.ofMillis(400), null, "test-timeouts")) {
            PendingRequests.Pending first = pending.register("r").pending();
            Thread.sleep(250);
            PendingRequests.Pending again = pending.register("r").pending();
            assertThat(again).isSameAs(first);
            Thread.sleep(250); // 500 ms after the first send, 250 after the retry
            assertThat(first.future()).isNotDone();
            try {
                first.future().get(5, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(RequestTimeoutException.class);
            }
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
