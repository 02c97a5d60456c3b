package io.kvpipe.app.membership;

import java.time.Duration;
import java.util.Objects;

/**
 * How the membership view reads heartbeats and judges liveness.
 *
 * <p>An instance is {@link MemberStatus#ALIVE} while its last beat is less than {@code suspectAfter}
 * old, {@link MemberStatus#SUSPECTED} from then until {@code deadAfter}, {@link MemberStatus#DEAD}
 * after. The defaults, for the default 250 ms beat: suspected after 4 intervals (1 s: three beats in
 * a row missed, more than a GC pause or a slow poll should cost), dead after 12 intervals (3 s: far
 * below the 45 s group session timeout, so reads fail over to replicas long before Kafka moves the
 * partitions). Members whose last beat is older than {@code forgetAfter} (default 10 min) are left
 * out of {@link MembershipView#members()}.
 *
 * @param topic the heartbeats topic
 * @param interval the beat interval the instances use
 */
public record MembershipSettings(String topic, Duration interval, Duration suspectAfter, Duration deadAfter,
        Duration forgetAfter) {

    public static final int DEFAULT_SUSPECT_INTERVALS = 4;
    public static final int DEFAULT_DEAD_INTERVALS = 12;
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(250);
    public static final Duration DEFAULT_FORGET_AFTER = Duration.ofMinutes(10);

    public MembershipSettings {
        Objects.requireNonNull(topic, "topic");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the heartbeat interval must be positive");
        }
        if (suspectAfter.compareTo(interval) < 0 || deadAfter.compareTo(suspectAfter) <= 0
                || forgetAfter.compareTo(deadAfter) < 0) {
            throw new IllegalArgumentException(
                    "the thresholds must grow: interval <= suspectAfter < deadAfter <= forgetAfter");
        }
    }

    /** The default thresholds for a 250 ms beat. */
    public static MembershipSettings defaults(String topic) {
        return forInterval(topic, DEFAULT_INTERVAL);
    }

    /** Suspected after 4 intervals, dead after 12, forgotten after 10 minutes. */
    public static MembershipSettings forInterval(String topic, Duration interval) {
        return new MembershipSettings(topic, interval, interval.multipliedBy(DEFAULT_SUSPECT_INTERVALS),
                interval.multipliedBy(DEFAULT_DEAD_INTERVALS), DEFAULT_FORGET_AFTER);
    }

    /** The status of a member whose last beat is {@code sinceLastBeatMs} old. */
    public MemberStatus statusAfter(long sinceLastBeatMs) {
        if (sinceLastBeatMs >= deadAfter.toMillis()) {
            return MemberStatus.DEAD;
        }
        return sinceLastBeatMs >= suspectAfter.toMillis() ? MemberStatus.SUSPECTED : MemberStatus.ALIVE;
    }
}
