package io.kvpipe.app.heartbeat;

import java.time.Duration;
import java.util.Objects;

/**
 * How an instance beats.
 *
 * @param instanceId the instance's id, the heartbeat's key (stable across restarts of one instance)
 * @param queryEndpoint {@code host:port} of the instance's query server; must be the same string as
 *     its Kafka Streams {@code application.server}, so that other instances can match the Streams
 *     metadata of a host to its heartbeats
 * @param topic the heartbeats topic ({@code Topics.heartbeats()})
 * @param interval time between beats (default 250 ms)
 * @param staleness how long ago every stream thread with active tasks may last have ticked
 *     {@link ProcessingLiveness} for the instance to beat (default 1 s). The topology must tick more
 *     often than this, e.g. from a wall-clock punctuator every 200 ms.
 */
public record HeartbeatSettings(String instanceId, String queryEndpoint, String topic, Duration interval,
        Duration staleness) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(250);
    public static final Duration DEFAULT_STALENESS = Duration.ofSeconds(1);

    public HeartbeatSettings {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(topic, "topic");
        if (instanceId.isBlank()) {
            throw new IllegalArgumentException("an instance id must not be blank");
        }
        if (interval.isNegative() || interval.isZero() || staleness.isNegative() || staleness.isZero()) {
            throw new IllegalArgumentException("the heartbeat interval and staleness must be positive");
        }
    }

    /** The defaults: a beat every 250 ms, threads stale after 1 s. */
    public static HeartbeatSettings of(String instanceId, String queryEndpoint, String topic) {
        return new HeartbeatSettings(instanceId, queryEndpoint, topic, DEFAULT_INTERVAL, DEFAULT_STALENESS);
    }

    public HeartbeatSettings withInterval(Duration newInterval) {
        return new HeartbeatSettings(instanceId, queryEndpoint, topic, newInterval, staleness);
    }

    public HeartbeatSettings withStaleness(Duration newStaleness) {
        return new HeartbeatSettings(instanceId, queryEndpoint, topic, interval, newStaleness);
    }
}
