package io.kvpipe.app.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.app.membership.MembershipSettings;
import io.kvpipe.app.membership.MembershipView;
import io.kvpipe.avro.Heartbeat;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class OwnHeartbeatTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final MembershipView view = MembershipView.detached(MembershipSettings.defaults("kv-heartbeats"), now::get);
    private final OwnHeartbeat own = OwnHeartbeat.of(view, "me");

    private void beatSeenBack(String instanceId, long sequence) {
        view.observe(Heartbeat.newBuilder().setInstanceId(instanceId).setQueryEndpoint("h:1").setSequence(sequence)
                .setTimestampMs(now.get()).build(), now.get());
    }

    @Test
    void neverSeenIsNotRecent() {
        beatSeenBack("someone-else", 1);
        assertThat(own.seen()).isEqualTo(OwnHeartbeat.Seen.never());
    }

    @Test
    void recentUntilTheSuspectIntervalThenNotWithHowLong() {
        beatSeenBack("me", 1);
        now.addAndGet(999);
        assertThat(own.seen()).isEqualTo(new OwnHeartbeat.Seen(true, 999L));

        now.addAndGet(1); // the view's suspect threshold: 1 s
        assertThat(own.seen()).isEqualTo(new OwnHeartbeat.Seen(false, 1_000L));

        beatSeenBack("me", 2);
        assertThat(own.seen().recent()).isTrue();
    }
}
