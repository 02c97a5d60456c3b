package io.kvpipe.app.heartbeat;

import io.kvpipe.avro.Heartbeat;

/** Where heartbeats go: the heartbeats topic ({@link KafkaHeartbeatSink}) or a test's list. */
public interface HeartbeatSink extends AutoCloseable {

    /** Sends one beat without waiting for it to be acknowledged. */
    void send(Heartbeat beat);

    @Override
    default void close() {}
}
