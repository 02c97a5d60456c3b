package io.kvpipe.app.query;

import io.kvpipe.app.membership.MemberStatus;
import io.kvpipe.app.membership.MembershipView;
import java.util.Objects;

/**
 * Whether this instance can still vouch for its active stores. Kafka Streams keeps a task active
 * here until the group session times out (45 s), even when this instance is cut off from Kafka and
 * a new primary may already be taking writes elsewhere. The one cheap proof of being connected in
 * both directions is this instance's own heartbeat making the round trip: published to the
 * heartbeats topic and read back by its own membership view. So an active read is fresh only while
 * the view has seen this instance's own beat within the suspect interval (the view calls it ALIVE).
 */
@FunctionalInterface
public interface OwnHeartbeat {

    /**
     * @param recent whether the own beat was seen back within the suspect interval
     * @param agoMs how long ago it was last seen back, null if never (not yet, since start)
     */
    record Seen(boolean recent, Long agoMs) {

        public static Seen never() {
            return new Seen(false, null);
        }
    }

    Seen seen();

    /** From the membership view: the own beat is recent while the view judges this instance ALIVE. */
    static OwnHeartbeat of(MembershipView view, String instanceId) {
        Objects.requireNonNull(view, "view");
        Objects.requireNonNull(instanceId, "instanceId");
        return () -> view.member(instanceId)
                .map(m -> new Seen(m.status() == MemberStatus.ALIVE, m.sinceLastBeatMs()))
                .orElse(Seen.never());
    }
}
