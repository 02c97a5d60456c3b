package io.kvpipe.app.heartbeat;

import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.LagInfo;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link LocalTasks} read from a running {@link KafkaStreams}:
 * <ul>
 *   <li>threads and tasks from {@link KafkaStreams#metadataForLocalThreads()};
 *   <li>a primary's progress from its task metadata on the source topic (normally the requests
 *       topic): offset = committed offset - 1 (the last record whose processing is committed), lag =
 *       end offset - committed offset. Both move at commits, so they trail processing by up to a
 *       commit interval; under exactly-once the end offset counts transaction markers too, so the
 *       lag is approximate. Until the task's first commit (after a restart, the first record it
 *       consumes), the committed offset is the group's ({@link GroupCommits});
 *   <li>a replica's progress from {@link KafkaStreams#allLocalStorePartitionLags()} for the store:
 *       the changelog offset restored and the changelog records still to restore. That call asks the
 *       brokers for end offsets; if it fails the lag is reported as unknown.
 * </ul>
 * A partition's number is its task's partition ({@code TaskId.partition()}), which for a store
 * materialized from the requests topic is the requests-topic partition.
 */
public final class StreamsLocalTasks implements LocalTasks {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsLocalTasks.class);

    private final KafkaStreams streams;
    private final String sourceTopic;
    private final String storeName;
    private final GroupCommits groupCommits;
    private volatile boolean lagFailureLogged;

    /**
     * @param sourceTopic the topic whose offsets a primary reports (the requests topic)
     * @param storeName the store whose changelog lag a replica reports ({@code kv})
     */
    public StreamsLocalTasks(KafkaStreams streams, String sourceTopic, String storeName) {
        this(streams, sourceTopic, storeName, GroupCommits.none());
    }

    /** As above, with the group's commits for primaries whose task has not committed yet. */
    public StreamsLocalTasks(KafkaStreams streams, String sourceTopic, String storeName, GroupCommits groupCommits) {
        this.streams = streams;
        this.sourceTopic = sourceTopic;
        this.storeName = storeName;
        this.groupCommits = groupCommits;
    }

    @Override
    public Snapshot snapshot() {
        KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
            return Snapshot.notRunning(state.name());
        }
        Set<ThreadMetadata> threads;
        try {
            threads = streams.metadataForLocalThreads();
        } catch (IllegalStateException e) {
            return Snapshot.notRunning(streams.state().name());
        }
        Set<String> processing = new HashSet<>();
        Map<Integer, TaskProgress> primaries = new TreeMap<>();
        Set<Integer> standbys = new HashSet<>();
        for (ThreadMetadata thread : threads) {
            if (!thread.activeTasks().isEmpty()) {
                processing.add(thread.threadName());
            }
            for (TaskMetadata task : thread.activeTasks()) {
                int partition = task.taskId().partition();
                TaskProgress progress = primaryProgress(task, partition);
                // Several sub-topologies can have a task for one partition; the one reading the
                // source topic knows its progress.
                primaries.merge(partition, progress, (a, b) -> a.offset() >= 0 || a.lag() != null ? a : b);
            }
            for (TaskMetadata task : thread.standbyTasks()) {
                standbys.add(task.taskId().partition());
            }
        }
        standbys.removeAll(primaries.keySet());
        return new Snapshot(true, state.name(), processing, new ArrayList<>(primaries.values()), replicas(standbys));
    }

    private TaskProgress primaryProgress(TaskMetadata task, int partition) {
        TopicPartition tp = new TopicPartition(sourceTopic, partition);
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                // Live views of the task's maps, written by its stream thread: read once each.
                Long committed = task.committedOffsets().get(tp);
                Long end = task.endOffsets().get(tp);
                long c = committed == null ? -1 : committed;
                if (c < 0 && task.topicPartitions().contains(tp)) {
                    c = groupCommits.committed(tp);
                }
                long offset = c > 0 ? c - 1 : -1;
                // An end offset of -1 is unknown (none fetched yet), not "nothing behind".
                Long lag = end != null && end >= 0 && c >= 0 ? Math.max(0, end - c) : null;
                return new TaskProgress(partition, offset, lag);
            } catch (ConcurrentModificationException e) {
                // the stream thread was changing the map: read again
            }
        }
        return new TaskProgress(partition, -1, null);
    }

    private List<TaskProgress> replicas(Set<Integer> partitions) {
        if (partitions.isEmpty()) {
            return List.of();
        }
        Map<Integer, LagInfo> lags = Map.of();
        try {
            lags = streams.allLocalStorePartitionLags().getOrDefault(storeName, Map.of());
            lagFailureLogged = false;
        } catch (RuntimeException e) {
            if (!lagFailureLogged) {
                lagFailureLogged = true;
                LOG.warn("Cannot read the replicas' lag of store {}: {}", storeName, e.toString());
            }
        }
        List<TaskProgress> replicas = new ArrayList<>();
        for (int partition : new TreeSet<>(partitions)) {
            LagInfo lag = lags.get(partition);
            replicas.add(lag == null
                    ? new TaskProgress(partition, -1, null)
                    : new TaskProgress(partition, lag.currentOffsetPosition() - 1, lag.offsetLag()));
        }
        return replicas;
    }
}
