package io.kvpipe.app.heartbeat;

import java.util.List;
import java.util.Set;

/**
 * What this instance holds right now, as far as heartbeats care: which stream threads must prove
 * they are processing, and which partitions it holds as primary and as replica. Keeps the heartbeat
 * decision free of {@code KafkaStreams}; {@link StreamsLocalTasks} is the real implementation.
 */
public interface LocalTasks {

    /** A consistent picture of the local tasks at one moment. */
    Snapshot snapshot();

    /**
     * @param running whether the client can serve (Kafka Streams RUNNING or REBALANCING)
     * @param state the client's state, for messages
     * @param threadsWithActiveTasks names of the stream threads that hold at least one active task:
     *     each must have ticked {@link ProcessingLiveness} recently. A thread that holds only
     *     standby tasks runs no processor and punctuator, so it has nothing to tick with.
     * @param primaries the partitions held as active tasks, with their progress, by partition
     * @param replicas the partitions held as standby tasks, with their lag, by partition
     */
    record Snapshot(boolean running, String state, Set<String> threadsWithActiveTasks,
            List<TaskProgress> primaries, List<TaskProgress> replicas) {

        public Snapshot {
            threadsWithActiveTasks = Set.copyOf(threadsWithActiveTasks);
            primaries = List.copyOf(primaries);
            replicas = List.copyOf(replicas);
        }

        /** A client that cannot serve and holds nothing. */
        public static Snapshot notRunning(String state) {
            return new Snapshot(false, state, Set.of(), List.of(), List.of());
        }
    }
}
