package io.kvpipe.app.membership;

/** How alive an instance looks from its heartbeats; see {@link MembershipSettings} for the thresholds. */
public enum MemberStatus {
    /** Beat within the suspicion threshold (default 4 intervals, 1 s). */
    ALIVE,
    /** Missed beats: no beat for the suspicion threshold, but not yet for the death threshold. */
    SUSPECTED,
    /** No beat for the death threshold (default 12 intervals, 3 s). */
    DEAD,
    /** Never heard of (no heartbeat seen from this instance or endpoint). */
    UNKNOWN
}
