package io.kvpipe.app.query;

import java.util.Locale;
import org.apache.kafka.streams.state.HostInfo;

/** One way to serve a read, tried in order by {@link KvReader}. */
public record Route(Kind kind, HostInfo host) {

    public enum Kind {
        /** Read this instance's active store. */
        LOCAL_PRIMARY,
        /** Ask the active instance to read its active store. */
        FORWARD_PRIMARY,
        /** Read whatever store this instance holds for the partition (a standby, or the active if it is here). */
        LOCAL_REPLICA,
        /** Ask a standby instance to read its store. */
        FORWARD_REPLICA;

        /** Lower-case name for metrics and messages. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static Route local(Kind kind) {
        return new Route(kind, null);
    }

    @Override
    public String toString() {
        return host == null ? kind.label() : kind.label() + " " + Endpoints.of(host);
    }
}
