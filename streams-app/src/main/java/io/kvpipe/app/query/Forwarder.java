package io.kvpipe.app.query;

import io.kvpipe.schemas.ReadPosition;
import java.time.Duration;
import org.apache.kafka.streams.state.HostInfo;

/** Asks another instance to serve a read locally; {@link HttpForwarder} does it over HTTP. */
public interface Forwarder {

    /** The other instance's answer, or why there was none. */
    record Answer(int status, String body, String failure) {

        public static Answer of(int status, String body) {
            return new Answer(status, body, null);
        }

        public static Answer none(String failure) {
            return new Answer(0, null, failure);
        }

        /** Whether the instance answered with something to relay (not a 503 "cannot serve here"). */
        public boolean served() {
            return failure == null && status != 503;
        }
    }

    /**
     * @param hop {@link Hop#FOR_PRIMARY} or {@link Hop#FOR_REPLICA}
     * @param position the read-your-writes position, or null
     * @param wait how long the other instance may wait for the position
     */
    Answer forward(HostInfo target, String key, Hop hop, ReadPosition position, Duration wait);
}
