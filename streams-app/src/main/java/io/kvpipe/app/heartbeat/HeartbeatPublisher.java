package io.kvpipe.app.heartbeat;

import io.kvpipe.avro.Heartbeat;
import io.kvpipe.avro.PartitionProgress;
import io.kvpipe.schemas.registry.SchemaRegistryClient;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes this instance's heartbeat every interval, but only while it is really processing: a
 * beat goes out only if Kafka Streams is RUNNING or REBALANCING and every stream thread that holds
 * active tasks has ticked {@link ProcessingLiveness} within the staleness bound. A stuck stream
 * thread thus stops the beat even while its consumer's network heartbeat keeps it in the group, and
 * the other instances' membership views suspect, then declare dead, this instance.
 *
 * <p>A beat carries the instance id (also the record key), the query endpoint, a sequence number,
 * the time, and the partitions held as primary (with progress) and replica (with lag). The
 * sequence starts at the publisher's start time in epoch ms times 1000 and grows by one per beat,
 * so it keeps growing across restarts of an instance that keeps its id (the membership view drops
 * beats with a sequence not above the last it has seen).
 *
 * <p>{@link #start} runs the beat on a thread of its own; the constructor builds a publisher that
 * beats only when {@link #beatOnce()} is called (for tests, with a fake clock and sink).
 */
public final class HeartbeatPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatPublisher.class);

    /** What one {@link #beatOnce()} did: sent a heartbeat, or withheld it and why. */
    public record Beat(Heartbeat sent, String withheldBecause) {

        public boolean wasSent() {
            return sent != null;
        }
    }

    private final HeartbeatSettings settings;
    private final LocalTasks tasks;
    private final ProcessingLiveness liveness;
    private final HeartbeatSink sink;
    private final LongSupplier clock;
    private final long firstSequence;
    private long sent;
    private String withholding;
    private ScheduledExecutorService scheduler;

    /** A publisher that beats only when {@link #beatOnce()} is called; it owns {@code sink}. */
    public HeartbeatPublisher(HeartbeatSettings settings, LocalTasks tasks, ProcessingLiveness liveness,
            HeartbeatSink sink, LongSupplier clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.tasks = Objects.requireNonNull(tasks, "tasks");
        this.liveness = Objects.requireNonNull(liveness, "liveness");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.firstSequence = clock.getAsLong() * 1000;
    }

    /**
     * Starts beating to the heartbeats topic on a thread of its own, the first beat at once.
     *
     * @param clientConfig common Kafka client properties (at least {@code bootstrap.servers})
     * @param registry the schema registry client (the caller owns and closes it, after this)
     */
    public static HeartbeatPublisher start(HeartbeatSettings settings, LocalTasks tasks, ProcessingLiveness liveness,
            Map<String, Object> clientConfig, SchemaRegistryClient registry) {
        KafkaHeartbeatSink sink = KafkaHeartbeatSink.create(clientConfig, settings.topic(), settings.instanceId(),
                registry);
        HeartbeatPublisher publisher = new HeartbeatPublisher(settings, tasks, liveness, sink,
                System::currentTimeMillis);
        publisher.schedule();
        return publisher;
    }

    private synchronized void schedule() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "kvpipe-heartbeat-" + settings.instanceId());
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleAtFixedRate(() -> {
            try {
                beatOnce();
            } catch (RuntimeException e) {
                // Never let an exception cancel the schedule.
                LOG.warn("Heartbeat failed: {}", e.toString());
            }
        }, 0, settings.interval().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Decides whether this instance may beat now and, if so, sends one heartbeat. */
    public synchronized Beat beatOnce() {
        long now = clock.getAsLong();
        LocalTasks.Snapshot snapshot;
        try {
            snapshot = tasks.snapshot();
        } catch (RuntimeException e) {
            return withhold("the local tasks cannot be read: " + e.getMessage());
        }
        if (!snapshot.running()) {
            return withhold("Kafka Streams is " + snapshot.state());
        }
        Map<String, Long> ticks = liveness.lastTicks();
        long bound = settings.staleness().toMillis();
        TreeSet<String> stale = new TreeSet<>();
        for (String thread : snapshot.threadsWithActiveTasks()) {
            Long tick = ticks.get(thread);
            if (tick == null || now - tick > bound) {
                stale.add(thread);
            }
        }
        if (!stale.isEmpty()) {
            return withhold("stream thread(s) " + String.join(", ", stale) + " with active tasks have not processed for "
                    + bound + " ms");
        }
        Heartbeat beat = Heartbeat.newBuilder()
                .setInstanceId(settings.instanceId())
                .setQueryEndpoint(settings.queryEndpoint())
                .setSequence(firstSequence + sent)
                .setTimestampMs(now)
                .setPrimaries(toAvro(snapshot.primaries()))
                .setReplicas(toAvro(snapshot.replicas()))
                .build();
        sent++;
        try {
            sink.send(beat);
        } catch (RuntimeException e) {
            return withhold("the heartbeat could not be sent: " + e.getMessage());
        }
        if (withholding != null) {
            LOG.info("Instance {} beats again", settings.instanceId());
            withholding = null;
        }
        return new Beat(beat, null);
    }

    /** How many beats were sent (or handed to a failing sink). */
    public synchronized long beatsSent() {
        return sent;
    }

    private Beat withhold(String reason) {
        if (!reason.equals(withholding)) {
            if (sent == 0) {
                LOG.info("Instance {} does not beat yet: {}", settings.instanceId(), reason);
            } else {
                LOG.warn("Instance {} withholds its heartbeat: {}", settings.instanceId(), reason);
            }
            withholding = reason;
        }
        return new Beat(null, reason);
    }

    private static List<PartitionProgress> toAvro(List<TaskProgress> progress) {
        return progress.stream()
                .map(p -> new PartitionProgress(p.partition(), p.offset(), p.lag()))
                .toList();
    }

    /** Stops beating (waiting for a beat in progress) and closes the sink. */
    @Override
    public void close() {
        ScheduledExecutorService running;
        synchronized (this) {
            running = scheduler;
            scheduler = null;
        }
        if (running != null) {
            running.shutdown();
            try {
                running.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        sink.close();
    }
}
