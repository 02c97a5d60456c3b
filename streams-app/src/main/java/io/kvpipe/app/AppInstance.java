package io.kvpipe.app;

import io.kvpipe.app.heartbeat.GroupCommits;
import io.kvpipe.app.heartbeat.HeartbeatPublisher;
import io.kvpipe.app.heartbeat.HeartbeatSettings;
import io.kvpipe.app.heartbeat.ProcessingLiveness;
import io.kvpipe.app.heartbeat.StreamsLocalTasks;
import io.kvpipe.app.membership.MembershipSettings;
import io.kvpipe.app.membership.MembershipView;
import io.kvpipe.app.query.QueryServer;
import io.kvpipe.app.query.QueryServerSettings;
import io.kvpipe.app.streams.RestoreLog;
import io.kvpipe.app.streams.StreamsProperties;
import io.kvpipe.app.topology.RequestTopology;
import io.kvpipe.app.topology.StoreNames;
import io.kvpipe.app.topology.TopologySettings;
import io.kvpipe.schemas.registry.RestSchemaRegistryClient;
import io.kvpipe.schemas.registry.SchemaRegistryClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One streams-app instance: the request topology under Kafka Streams (primary and standby tasks),
 * its query server, its heartbeats and its membership view. Several instances with the same
 * application id share the partitions; each must have its own state directory and query port.
 */
public final class AppInstance implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AppInstance.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration ADMIN_CLOSE_TIMEOUT = Duration.ofSeconds(2);

    private final String instanceId;
    private final KafkaStreams streams;
    private final QueryServer queryServer;
    private final RestoreLog restores;
    private final Deque<AutoCloseable> toClose;

    private AppInstance(String instanceId, KafkaStreams streams, QueryServer queryServer, RestoreLog restores,
                        Deque<AutoCloseable> toClose) {
        this.instanceId = instanceId;
        this.streams = streams;
        this.queryServer = queryServer;
        this.restores = restores;
        this.toClose = toClose;
    }

    /** How one instance runs. */
    public record Settings(String applicationId, String instanceId, String httpHost, int httpPort,
            String advertisedHost, Path stateDir, int standbyReplicas, int streamThreads) {

        /**
         * The defaults of the main job: application {@code <prefix>app}, HTTP on 7070,
         * {@link StreamsProperties#DEFAULT_STREAM_THREADS} stream threads.
         */
        public static Settings defaults(String topicPrefix, Path dataDir, int httpPort) {
            String id = "localhost:" + httpPort;
            return new Settings(topicPrefix + "app", id, "localhost", httpPort, "localhost",
                    dataDir.resolve("streams").resolve("instance-" + httpPort), StreamsProperties.DEFAULT_STANDBY_REPLICAS,
                    StreamsProperties.DEFAULT_STREAM_THREADS);
        }
    }

    /**
     * Starts the instance and returns once its query server listens; Streams may still be
     * rebalancing or restoring (see {@link #awaitRunning}).
     *
     * @throws StartupException if the query port is taken or a component cannot start
     */
    public static AppInstance start(Environment environment, Pipeline pipeline, Settings settings) {
        Deque<AutoCloseable> started = new ArrayDeque<>();
        try {
            Map<String, Object> registryConfig = new HashMap<>(environment.clientConfig());
            registryConfig.put("schema.registry.url", environment.schemaRegistryUrl());
            SchemaRegistryClient registry = RestSchemaRegistryClient.fromConfig(registryConfig);
            started.push(registry);

            ProcessingLiveness liveness = new ProcessingLiveness();
            String endpoint = settings.advertisedHost() + ":" + settings.httpPort();
            int requestPartitions = pipeline.partitions().get(pipeline.topics().requests());
            // The query server reads what this topology holds: its transactions held in memory only,
            // and its dedup retention.
            TopologySettings topology = TopologySettings.builder()
                    .topics(pipeline.topics())
                    .requestPartitions(requestPartitions)
                    .registry(registry)
                    .liveness(liveness)
                    .instanceId(settings.instanceId())
                    .build();
            KafkaStreams streams = new KafkaStreams(RequestTopology.build(topology),
                    streamsProperties(environment, settings, endpoint));
            streams.setUncaughtExceptionHandler(e -> {
                // Bad input never gets here (it is dead-lettered); what does is transient (registry
                // or broker unreachable). Under exactly-once a new thread reprocesses the record.
                log.warn("Stream thread {} failed and is replaced: {}", Thread.currentThread().getName(), Failures.rootMessage(e));
                liveness.forget(Thread.currentThread().getName());
                return StreamThreadExceptionResponse.REPLACE_THREAD;
            });
            RestoreLog restores = new RestoreLog();
            streams.setGlobalStateRestoreListener(restores);
            started.push(() -> streams.close(CLOSE_TIMEOUT));

            MembershipView membership = MembershipView.start(
                    MembershipSettings.defaults(pipeline.topics().heartbeats()), environment.clientConfig(), registry);
            started.push(membership);

            QueryServer queryServer;
            try {
                queryServer = QueryServer.start(QueryServerSettings.builder(settings.instanceId(), streams, membership, registry,
                                topology.heldTransactions())
                        .dedupRetention(topology.dedupRetention())
                        .listen(settings.httpHost(), settings.httpPort())
                        .advertisedHost(settings.advertisedHost())
                        .topics(pipeline.topics())
                        .build());
            } catch (IllegalStateException e) {
                throw new StartupException(e.getMessage() + " (choose another with --http-port)", e);
            }
            started.push(queryServer);

            streams.start();
            // For a primary's progress before its task's first commit (after a restart, until traffic).
            Admin admin = Admin.create(environment.clientConfig());
            AutoCloseable closeAdmin = () -> admin.close(ADMIN_CLOSE_TIMEOUT); // a fetch in flight is not worth waiting for
            started.push(closeAdmin);
            HeartbeatPublisher heartbeats = HeartbeatPublisher.start(
                    HeartbeatSettings.of(settings.instanceId(), endpoint, pipeline.topics().heartbeats()),
                    new StreamsLocalTasks(streams, pipeline.topics().requests(), StoreNames.KV,
                            GroupCommits.of(admin, settings.applicationId())), liveness,
                    environment.clientConfig(), registry);
            // Closed first: an instance that is stopping stops beating at once.
            Deque<AutoCloseable> closeOrder = new ArrayDeque<>();
            closeOrder.add(heartbeats);
            closeOrder.add(closeAdmin);
            closeOrder.add(queryServer);
            closeOrder.add(() -> streams.close(CLOSE_TIMEOUT));
            closeOrder.add(membership);
            closeOrder.add(registry);
            return new AppInstance(settings.instanceId(), streams, queryServer, restores, closeOrder);
        } catch (RuntimeException e) {
            Closing.closeAll(started, log);
            throw e;
        }
    }

    private static Properties streamsProperties(Environment environment, Settings settings, String endpoint) {
        int replication = environment.embeddedKafka() ? 1 : -1;
        return StreamsProperties.of(environment.clientConfig(), settings.applicationId(), endpoint,
                settings.stateDir(), replication, settings.standbyReplicas(), settings.streamThreads());
    }

    /**
     * Waits until Kafka Streams is RUNNING (tasks assigned and restored).
     *
     * @throws StartupException if it is not within {@code timeout}, or it failed
     */
    public void awaitRunning(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                throw new StartupException("Kafka Streams stopped while starting: " + streams.state());
            }
            if (System.nanoTime() > deadline) {
                throw new StartupException("Kafka Streams is still " + streams.state() + " after " + timeout.toSeconds() + " s");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StartupException("interrupted while waiting for Kafka Streams");
            }
        }
    }

    /** This instance's id (by default its query endpoint). */
    public String instanceId() {
        return instanceId;
    }

    /** The query server's base URL, e.g. {@code http://localhost:7070}. */
    public String queryUrl() {
        return queryServer.url();
    }

    /**
     * Changelog records restored into this instance's active stores since it started, per store:
     * none after a clean restart on the same state directory.
     */
    public Map<String, Long> restoredRecords() {
        return restores.restoredRecords();
    }

    /** The Kafka Streams instance (for metadata and tests). */
    public KafkaStreams streams() {
        return streams;
    }

    @Override
    public void close() {
        Closing.closeAll(toClose, log);
    }
}
