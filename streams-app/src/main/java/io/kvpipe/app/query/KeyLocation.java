package io.kvpipe.app.query;

import java.util.Set;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Where a key lives, from Kafka Streams' metadata: its partition, the instance holding it as active
 * (primary) and those holding standbys (replicas), each named by its {@code application.server}.
 *
 * @param active null when no instance is known as active (rebalancing)
 * @param unavailableBecause non-null when the metadata cannot tell where the key lives
 */
public record KeyLocation(int partition, HostInfo active, Set<HostInfo> standbys, String unavailableBecause) {

    public KeyLocation {
        standbys = Set.copyOf(standbys);
    }

    public static KeyLocation of(int partition, HostInfo active, Set<HostInfo> standbys) {
        return new KeyLocation(partition, active, standbys, null);
    }

    public static KeyLocation unavailable(String reason) {
        return new KeyLocation(-1, null, Set.of(), reason);
    }

    public boolean available() {
        return unavailableBecause == null;
    }
}
