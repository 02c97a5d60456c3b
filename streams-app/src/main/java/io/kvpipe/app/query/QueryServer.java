package io.kvpipe.app.query;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.util.JavalinBindException;
import io.kvpipe.app.membership.MembershipView;
import io.kvpipe.app.topology.StoreNames;
import io.kvpipe.avro.Outcome;
import io.kvpipe.schemas.Limits;
import io.kvpipe.schemas.ReadPosition;
import io.kvpipe.schemas.serde.AvroDeserializer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsMetadata;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One instance's HTTP query server (Javalin):
 * <ul>
 *   <li>{@code GET /kv/{key}} (or {@code GET /kv?key=...} for any key) with optional {@code
 *       ?position=<partition>:<offset>} or {@code ?position=<partition>:v<version>} (see {@link
 *       ReadPosition}) and {@code ?timeoutMs=}: see {@link KvReader};
 *   <li>{@code GET /txn/{id}} (or {@code GET /txn?id=...}): a transaction's status, pending,
 *       prepared or decided, from whichever partition coordinates it: see {@link TxnReader};
 *   <li>{@code GET /cluster}: instances and partitions, see {@link ClusterView};
 *   <li>{@code GET /health}: 200 {@code {"status":"UP",...}} while Kafka Streams is RUNNING or
 *       REBALANCING, else 503 {@code {"status":"DOWN",...}};
 *   <li>{@code GET /metrics}: Prometheus text (version 0.0.4): Kafka Streams metrics ({@code
 *       kafka_stream_*}), JVM and process metrics, and {@code kvpipe_query_reads_total{route,status}}.
 * </ul>
 * Errors are JSON {@code {"error": "...", "status": n}}: 400 for bad input, 404 for an unknown route,
 * 405 for a wrong method, 500 with a one-line message (logged once, with its stack trace) for an
 * unexpected failure. Never a stack trace in a response.
 */
public final class QueryServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QueryServer.class);
    private static final String JSON_TYPE = "application/json";
    private static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** How often the Kafka Streams metrics are looked over for new ones (tasks come and go). */
    static final Duration METRICS_REFRESH = Duration.ofSeconds(5);

    private final QueryServerSettings settings;
    private final KvReader reader;
    private final TxnReader txns;
    private final PrometheusMeterRegistry registry;
    private final boolean ownsRegistry;
    private final ScheduledExecutorService metricsRefresh;
    private final KafkaStreamsMetrics streamsMetrics;
    private final JvmGcMetrics gcMetrics;
    private final Javalin app;

    private QueryServer(QueryServerSettings settings) {
        this.settings = settings;
        KafkaStreams streams = settings.streams();
        MembershipView membership = settings.membership();
        QueryRouter router = new QueryRouter(Endpoints.parse(settings.endpoint()),
                host -> membership.statusAt(Endpoints.of(host)));
        HttpForwarder forwarder = new HttpForwarder(settings.instanceId(), settings.forwardTimeout());
        this.reader = new KvReader(settings.instanceId(),
                new StreamsKeyLocator(streams, settings.storeName(), settings.partitioner()), router,
                new StreamsLocalStore(streams, settings.storeName()),
                forwarder, OwnHeartbeat.of(membership, settings.instanceId()));
        this.txns = new TxnReader(settings.instanceId(), Endpoints.parse(settings.endpoint()),
                new StreamsLocalTxns(streams, StoreNames.TXNS, StoreNames.DEDUP, settings.dedupRetention(),
                        settings.topics().results(), new AvroDeserializer<>(settings.registry(), Outcome.class),
                        settings.heldTransactions()),
                () -> streams.metadataForAllStreamsClients().stream().map(StreamsMetadata::hostInfo).toList(),
                host -> membership.statusAt(Endpoints.of(host)), forwarder);
        this.ownsRegistry = settings.meterRegistry() == null;
        this.registry = ownsRegistry ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) : settings.meterRegistry();
        // Task, processor and store metrics exist only once tasks are assigned (and change with every
        // rebalance); Micrometer binds new Kafka metrics when it refreshes, every minute by default,
        // so /metrics would lack them for the first minute after a start or a rebalance.
        this.metricsRefresh = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "kvpipe-metrics-refresh");
            thread.setDaemon(true);
            return thread;
        });
        this.streamsMetrics = new KafkaStreamsMetrics(streams, Tags.empty(), metricsRefresh, METRICS_REFRESH);
        this.streamsMetrics.bindTo(registry);
        this.gcMetrics = new JvmGcMetrics();
        this.gcMetrics.bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        this.app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.http.prefer405over404 = true;
            QueuedThreadPool threads = new QueuedThreadPool(32, 2, 60_000);
            threads.setName("kvpipe-query-" + settings.instanceId());
            config.jetty.threadPool = threads;
        });
        routes();
    }

    /**
     * Starts serving on {@code settings.host():settings.port()}.
     *
     * @throws IllegalStateException if the port is in use ("cannot start the query server: port 7070
     *     on localhost is already in use") or the server cannot start
     */
    public static QueryServer start(QueryServerSettings settings) {
        QueryServer server = new QueryServer(settings);
        try {
            server.app.start(settings.host(), settings.port());
        } catch (JavalinBindException e) {
            server.closeMetrics();
            throw new IllegalStateException("cannot start the query server: port " + settings.port() + " on "
                    + settings.host() + " is already in use");
        } catch (RuntimeException e) {
            server.closeMetrics();
            throw new IllegalStateException("cannot start the query server on " + settings.host() + ":"
                    + settings.port() + ": " + oneLine(e), e);
        }
        LOG.info("Query server of {} listening on {} (advertised as {})", settings.instanceId(), server.url(),
                settings.endpoint());
        return server;
    }

    /** Where clients reach this server, e.g. {@code http://localhost:7070}. */
    public String url() {
        return "http://" + settings.endpoint();
    }

    /** {@code host:port}, this instance's {@code application.server}. */
    public String endpoint() {
        return settings.endpoint();
    }

    public PrometheusMeterRegistry meterRegistry() {
        return registry;
    }

    /** The routing and reading logic behind {@code GET /kv/{key}}. */
    public KvReader reader() {
        return reader;
    }

    private void routes() {
        app.get("/kv", ctx -> read(ctx, ctx.queryParam("key")));
        app.get("/kv/<key>", ctx -> read(ctx, ctx.pathParam("key")));
        app.get("/txn", ctx -> transaction(ctx, ctx.queryParam("id")));
        app.get("/txn/<id>", ctx -> transaction(ctx, ctx.pathParam("id")));
        app.get("/cluster", this::cluster);
        app.get("/health", this::health);
        app.get("/metrics", ctx -> ctx.contentType(PROMETHEUS_TYPE)
                .result(registry.scrape().getBytes(StandardCharsets.UTF_8)));

        app.exception(BadRequest.class, (e, ctx) -> json(ctx, Reply.error(400, e.getMessage())));
        // Javalin's own refusals: no route (404), wrong method (405)...
        app.exception(HttpResponseException.class, (e, ctx) -> json(ctx, Reply.error(e.getStatus(),
                e.getStatus() == 404 ? "no such route: " + ctx.method() + " " + ctx.path()
                        : e.getStatus() == 405 ? "method " + ctx.method() + " not allowed on " + ctx.path()
                        : "HTTP " + e.getStatus() + " " + oneLine(e))));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("Query server failed on {} {}", ctx.method(), ctx.path(), e);
            json(ctx, Reply.error(500, "internal error: " + oneLine(e)));
        });
    }

    private void read(Context ctx, String key) {
        if (key == null || key.isEmpty()) {
            throw new BadRequest("a key is required: GET /kv/{key} or GET /kv?key=...");
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > Limits.MAX_KEY_BYTES) {
            throw new BadRequest("a key is at most " + Limits.MAX_KEY_BYTES + " bytes of UTF-8");
        }
        ReadPosition position = null;
        String token = ctx.queryParam("position");
        if (token != null) {
            try {
                position = ReadPosition.parse(token);
            } catch (IllegalArgumentException e) {
                throw new BadRequest(e.getMessage());
            }
        }
        Duration wait = settings.defaultWait();
        String timeout = ctx.queryParam("timeoutMs");
        if (timeout != null) {
            long ms;
            try {
                ms = Long.parseLong(timeout);
            } catch (NumberFormatException e) {
                ms = -1;
            }
            if (ms < 0 || ms > settings.maxWait().toMillis()) {
                throw new BadRequest("timeoutMs is a number of milliseconds from 0 to " + settings.maxWait().toMillis()
                        + ", got '" + timeout + "'");
            }
            wait = Duration.ofMillis(ms);
        }
        Reply reply = reader.get(key, position, wait, hop(ctx));
        Counter.builder("kvpipe.query.reads")
                .description("Key reads answered, by the route that served them and the HTTP status")
                .tag("route", reply.route())
                .tag("status", String.valueOf(reply.status()))
                .register(registry)
                .increment();
        json(ctx, reply);
    }

    private void transaction(Context ctx, String id) {
        if (id == null || id.isEmpty()) {
            throw new BadRequest("a transaction id is required: GET /txn/{id} or GET /txn?id=...");
        }
        if (id.getBytes(StandardCharsets.UTF_8).length > Limits.MAX_KEY_BYTES) {
            throw new BadRequest("a transaction id is at most " + Limits.MAX_KEY_BYTES + " bytes of UTF-8");
        }
        // A forwarded lookup searches this instance's stores only, so it fans out once.
        json(ctx, txns.get(id, ctx.header(Hop.FORWARDED_BY) != null));
    }

    private static Hop hop(Context ctx) {
        if (ctx.header(Hop.FORWARDED_BY) == null) {
            return Hop.ORIGIN;
        }
        String want = ctx.header(Hop.WANT);
        if ("primary".equals(want)) {
            return Hop.FOR_PRIMARY;
        }
        if ("replica".equals(want)) {
            return Hop.FOR_REPLICA;
        }
        throw new BadRequest("a forwarded read needs " + Hop.WANT + ": primary or replica");
    }

    private void cluster(Context ctx) {
        KafkaStreams streams = settings.streams();
        Collection<StreamsMetadata> clients;
        try {
            clients = streams.metadataForAllStreamsClients();
        } catch (RuntimeException e) {
            clients = List.of();
        }
        ObjectNode body = ClusterView.describe(settings.instanceId(), clients, settings.topics().requests(),
                settings.membership().members());
        body.put("streams", streams.state().name());
        json(ctx, Reply.of(200, body, "none"));
    }

    private void health(Context ctx) {
        KafkaStreams.State state = settings.streams().state();
        boolean up = state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING;
        ObjectNode body = Reply.JSON.createObjectNode()
                .put("status", up ? "UP" : "DOWN")
                .put("instanceId", settings.instanceId())
                .put("endpoint", settings.endpoint())
                .put("streams", state.name());
        body.putObject("membership")
                .put("caughtUp", settings.membership().caughtUp())
                .put("members", settings.membership().members().size());
        json(ctx, Reply.of(up ? 200 : 503, body, "none"));
    }

    private static void json(Context ctx, Reply reply) {
        ctx.status(reply.status()).contentType(JSON_TYPE).result(reply.body());
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.lines().findFirst().orElse("").strip();
    }

    private void closeMetrics() {
        streamsMetrics.close();
        metricsRefresh.shutdownNow();
        gcMetrics.close();
        if (ownsRegistry) {
            registry.close();
        }
    }

    /** Stops serving and unbinds the metrics. Kafka Streams and the membership view are the caller's. */
    @Override
    public void close() {
        app.stop();
        closeMetrics();
    }

    /** A client error: answered 400 with its message. */
    static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message);
        }
    }
}
