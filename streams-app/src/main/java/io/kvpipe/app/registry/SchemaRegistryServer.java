package io.kvpipe.app.registry;

import static io.kvpipe.app.registry.JsonExchange.JSON;
import static io.kvpipe.app.registry.JsonExchange.answer;
import static io.kvpipe.app.registry.JsonExchange.flag;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.util.JavalinBindException;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embeddable schema registry speaking Confluent's REST API (Avro only), so Confluent's and our
 * serdes, and tools such as kafka-avro-console-consumer, work against it unchanged.
 *
 * <p>This class is the HTTP layer: routes, status codes and error bodies. The state lives in a
 * {@link SchemaLog} (a compacted Kafka topic in production, see {@link KafkaSchemaLog}), replayed at
 * start, so schema ids survive restarts. One registry writes a given log at a time.
 */
public final class SchemaRegistryServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryServer.class);

    private final Javalin app;
    private final SchemaLog log;
    private final SchemaRegistryState state;
    private final String host;

    private SchemaRegistryServer(SchemaLog log, SchemaRegistryState state, String host) {
        this.log = log;
        this.state = state;
        this.host = host;
        this.app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.http.prefer405over404 = true;
            QueuedThreadPool threads = new QueuedThreadPool(32, 2, 60_000);
            threads.setName("schema-registry");
            config.jetty.threadPool = threads;
        });
        routes();
    }

    /**
     * Replays {@code log} and starts serving on {@code host}:{@code port} (port 0: any free port,
     * see {@link #url()}). The server owns the log from here: {@link #close()} closes it, and so
     * does a failed start.
     *
     * @throws IllegalStateException if the port is already in use ("port 8081 is already in
     *     use"), the server cannot start, or the log cannot be replayed
     */
    public static SchemaRegistryServer start(String host, int port, SchemaLog log) {
        try {
            SchemaRegistryServer server =
                    new SchemaRegistryServer(log, SchemaRegistryState.replay(log), host);
            try {
                server.app.start(host, port);
            } catch (JavalinBindException e) {
                throw new IllegalStateException("cannot start the schema registry: port " + port
                        + " is already in use");
            }
            LOG.info("Schema registry listening on {}", server.url());
            return server;
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
    }

    /** Where clients reach the registry, e.g. {@code http://localhost:8081}. */
    public String url() {
        String shown = host.equals("0.0.0.0") || host.equals("::") ? "localhost" : host;
        return "http://" + shown + ":" + app.port();
    }

    /** Stops serving and closes the log. */
    @Override
    public void close() {
        app.stop();
        log.close();
    }

    private void routes() {
        app.get("/", ctx -> answer(ctx, JSON.createObjectNode()));
        app.get("/schemas/types", ctx -> answer(ctx, List.of("AVRO")));

        app.get("/schemas/ids/{id}", ctx ->
                answer(ctx, JSON.createObjectNode().put("schema", state.schemaById(id(ctx)))));
        app.get("/schemas/ids/{id}/schema", ctx -> rawSchema(ctx, state.schemaById(id(ctx))));
        app.get("/schemas/ids/{id}/subjects", ctx -> answer(ctx,
                state.versionsWithId(id(ctx), flag(ctx, "deleted")).stream()
                        .map(SchemaVersion::subject).distinct().toList()));
        app.get("/schemas/ids/{id}/versions", this::versionsWithId);

        app.get("/subjects", ctx -> answer(ctx, state.subjects(flag(ctx, "deleted"))));
        app.post("/subjects/{subject}", this::lookUp);
        app.delete("/subjects/{subject}", ctx ->
                answer(ctx, state.deleteSubject(subject(ctx), flag(ctx, "permanent"))));
        app.get("/subjects/{subject}/versions", ctx ->
                answer(ctx, state.versions(subject(ctx), flag(ctx, "deleted"))));
        app.post("/subjects/{subject}/versions", this::register);
        app.get("/subjects/{subject}/versions/{version}", ctx ->
                answer(ctx, describe(state.version(subject(ctx), version(ctx), flag(ctx, "deleted")))));
        app.get("/subjects/{subject}/versions/{version}/schema", ctx -> rawSchema(ctx,
                state.version(subject(ctx), version(ctx), flag(ctx, "deleted")).schema()));
        app.delete("/subjects/{subject}/versions/{version}", ctx ->
                answer(ctx, state.deleteVersion(subject(ctx), version(ctx), flag(ctx, "permanent"))));

        app.post("/compatibility/subjects/{subject}/versions/{version}", ctx ->
                checkCompatibility(ctx, Optional.of(version(ctx))));
        app.post("/compatibility/subjects/{subject}/versions", ctx ->
                checkCompatibility(ctx, Optional.empty()));

        app.get("/config", ctx -> answer(ctx, level(state.globalLevel())));
        app.put("/config", ctx -> setLevel(ctx, null));
        app.delete("/config", ctx -> answer(ctx, level(state.removeLevel(null))));
        app.get("/config/{subject}", this::subjectLevel);
        app.put("/config/{subject}", ctx -> setLevel(ctx, subject(ctx)));
        app.delete("/config/{subject}", ctx -> answer(ctx, level(state.removeLevel(subject(ctx)))));

        app.exception(RegistryError.class, (e, ctx) ->
                JsonExchange.error(ctx, e.status, e.errorCode, e.getMessage()));
        // Javalin's own refusals: no route (404), wrong method (405), body too large (413)...
        app.exception(HttpResponseException.class, (e, ctx) -> JsonExchange.error(ctx, e.getStatus(),
                e.getStatus(), "HTTP " + e.getStatus() + " " + reason(e)));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("Schema registry failed on {} {}", ctx.method(), ctx.path(), e);
            JsonExchange.error(ctx, 500, 50001, "Error in the schema registry: " + oneLine(e));
        });
    }

    private void register(Context ctx) {
        // "normalize" is accepted and ignored: schemas are always compared in Avro's canonical form.
        Schema schema = JsonExchange.schemaIn(ctx);
        answer(ctx, JSON.createObjectNode().put("id", state.register(subject(ctx), schema)));
    }

    private void lookUp(Context ctx) {
        Schema schema = JsonExchange.schemaIn(ctx);
        answer(ctx, describe(state.lookup(subject(ctx), schema, flag(ctx, "deleted"))));
    }

    private void versionsWithId(Context ctx) {
        ArrayNode pairs = JSON.createArrayNode();
        state.versionsWithId(id(ctx), flag(ctx, "deleted")).forEach(v ->
                pairs.addObject().put("subject", v.subject()).put("version", v.version()));
        answer(ctx, pairs);
    }

    private void checkCompatibility(Context ctx, Optional<VersionId> against) {
        Schema schema = JsonExchange.schemaIn(ctx);
        List<String> problems = state.compatibilityProblems(subject(ctx), schema, against);
        ObjectNode result = JSON.createObjectNode().put("is_compatible", problems.isEmpty());
        if (flag(ctx, "verbose")) {
            ArrayNode messages = result.putArray("messages");
            problems.forEach(messages::add);
        }
        answer(ctx, result);
    }

    /** Confluent answers 40408 unless asked to fall back to the global level. */
    private void subjectLevel(Context ctx) {
        String subject = subject(ctx);
        Optional<CompatibilityLevel> own = state.subjectLevel(subject);
        if (own.isEmpty() && !flag(ctx, "defaultToGlobal")) {
            throw RegistryError.subjectLevelNotConfigured(subject);
        }
        answer(ctx, level(own.orElseGet(state::globalLevel)));
    }

    /** PUT {"compatibility": "FULL"} answers with the request, as Confluent does. */
    private void setLevel(Context ctx, String subject) {
        CompatibilityLevel level = CompatibilityLevel.named(
                        JsonExchange.body(ctx).path("compatibility").asText(null))
                .orElseThrow(RegistryError::invalidCompatibilityLevel);
        state.setLevel(subject, level);
        answer(ctx, JSON.createObjectNode().put("compatibility", level.name()));
    }

    private static void rawSchema(Context ctx, String schema) {
        ctx.contentType(JsonExchange.V1).result(schema);
    }

    private static ObjectNode describe(SchemaVersion version) {
        return JSON.createObjectNode()
                .put("subject", version.subject())
                .put("version", version.version())
                .put("id", version.id())
                .put("schema", version.schema());
    }

    private static ObjectNode level(CompatibilityLevel level) {
        return JSON.createObjectNode().put("compatibilityLevel", level.name());
    }

    private static String subject(Context ctx) {
        return ctx.pathParam("subject");
    }

    private static VersionId version(Context ctx) {
        return VersionId.parse(ctx.pathParam("version"));
    }

    /** An id that is not a number names no schema. */
    private static int id(Context ctx) {
        String text = ctx.pathParam("id");
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new RegistryError(404, 40403, "Schema " + text + " not found");
        }
    }

    private static String reason(HttpResponseException e) {
        return switch (e.getStatus()) {
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            default -> e.getMessage();
        };
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.lines().findFirst().orElse("").strip();
    }
}
