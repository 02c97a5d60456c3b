package io.kvpipe.producers.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * The three calls of the Confluent schema registry REST API the serdes make (register, look up,
 * schema by id), in memory on the JDK's HTTP server. Enough for the client and the CLI to run
 * their real REST path in tests; the project's full registry lives in streams-app.
 */
public final class StubSchemaRegistryServer implements AutoCloseable {

    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, Integer> ids = new HashMap<>();
    private final Map<Integer, String> schemas = new HashMap<>();
    private final HttpServer server;

    public StubSchemaRegistryServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (method.equals("GET") && path.startsWith("/schemas/ids/")) {
                String schema;
                synchronized (this) {
                    schema = schemas.get(Integer.parseInt(path.substring("/schemas/ids/".length())));
                }
                if (schema == null) {
                    respond(exchange, 404, Map.of("error_code", 40403, "message", "Schema not found"));
                } else {
                    respond(exchange, 200, Map.of("schema", schema));
                }
            } else if (method.equals("POST") && path.startsWith("/subjects/")) {
                JsonNode body = json.readTree(exchange.getRequestBody());
                String canonical = new Schema.Parser().parse(body.path("schema").asText()).toString();
                boolean register = path.endsWith("/versions");
                Integer id;
                synchronized (this) {
                    id = register ? ids.computeIfAbsent(canonical, s -> {
                        int next = ids.size() + 1;
                        schemas.put(next, s);
                        return next;
                    }) : ids.get(canonical);
                }
                if (id == null) {
                    respond(exchange, 404, Map.of("error_code", 40403, "message", "Schema not found"));
                } else {
                    respond(exchange, 200, Map.of("id", id));
                }
            } else {
                respond(exchange, 404, Map.of("error_code", 404, "message", "not served by the stub"));
            }
        } catch (RuntimeException e) {
            respond(exchange, 500, Map.of("error_code", 50001, "message", String.valueOf(e)));
        }
    }

    private void respond(HttpExchange exchange, int status, Map<String, ?> body) throws IOException {
        byte[] bytes = json.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
