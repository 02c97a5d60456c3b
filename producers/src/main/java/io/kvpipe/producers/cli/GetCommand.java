package io.kvpipe.producers.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvpipe.schemas.ReadPosition;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Reads a key from a streams-app instance's query server: {@code GET <query-url>/kv/<key>}, with
 * {@code ?position=<p:offset>} or {@code ?position=<p:vVersion>} to read your own write. Prints
 * {@code found k version=3 partition=2 role=primary served-by=host:7070 value=...} (plus
 * {@code stale lag=N} from a replica that is behind) and exits 0, or prints {@code not-found k} and
 * exits 1.
 */
@Command(name = "get", description = {"Read KEY from the query server (GET <query-url>/kv/KEY).",
        "Prints the value last, after version, partition, role and serving instance."},
        mixinStandardHelpOptions = true, sortOptions = false)
final class GetCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParentCommand
    KvpipeCli cli;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KEY")
    String key;

    @Option(names = "--position", paramLabel = "TOKEN",
            description = "Read your write: wait until the serving store has caught up with this position, as a write prints it: <partition>:<offset> (that offset applied) or <partition>:v<version> (the key at that version or later).")
    String position;

    @Option(names = "--query-url", paramLabel = "URL", defaultValue = "${env:KVPIPE_QUERY_URL:-http://localhost:7070}",
            description = "A streams-app instance's query server (env KVPIPE_QUERY_URL; default: ${DEFAULT-VALUE}).")
    String queryUrl;

    @Option(names = "--json", description = "Print the server's JSON answer as it is.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (key.isEmpty()) {
            throw new CliException("a key must not be empty");
        }
        URI uri = uri();
        HttpClient http = HttpClient.newBuilder().connectTimeout(cli.timeout()).build();
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri).timeout(cli.timeout())
                    .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new CliException("cannot reach the query server at " + queryUrl + " (is the streams app running?)", e);
        } catch (HttpTimeoutException e) {
            throw new CliException("the query server at " + queryUrl + " did not answer within "
                    + cli.timeout().toMillis() + " ms", e);
        } catch (IOException e) {
            throw new CliException("reading from the query server at " + queryUrl + " failed: " + e, e);
        }
        int status = response.statusCode();
        if (status == 404) {
            spec.commandLine().getOut().println(json ? response.body() : "not-found " + key);
            return ExitCodes.NO;
        }
        if (status != 200) {
            throw new CliException("the query server answered HTTP " + status + ": " + errorText(response.body()));
        }
        if (json) {
            spec.commandLine().getOut().println(response.body());
        } else {
            spec.commandLine().getOut().println(line(key, JSON.readTree(response.body())));
        }
        return ExitCodes.OK;
    }

    private URI uri() {
        String base = queryUrl.endsWith("/") ? queryUrl.substring(0, queryUrl.length() - 1) : queryUrl;
        StringBuilder uri = new StringBuilder(base).append("/kv/").append(pathSegment(key));
        if (position != null) {
            uri.append("?position=").append(ReadPosition.parse(position).token());
        }
        try {
            URI parsed = URI.create(uri.toString());
            if (parsed.getScheme() == null || parsed.getHost() == null) {
                throw new IllegalArgumentException("no scheme or host");
            }
            return parsed;
        } catch (IllegalArgumentException e) {
            throw new CliException("--query-url must be http(s)://host:port, got '" + queryUrl + "'", e);
        }
    }

    /** A key as one path segment: '/', '?', '%', spaces... are escaped. */
    static String pathSegment(String key) {
        return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {@code found k version=3 partition=2 role=primary served-by=h:p [stale lag=5] value=...}. */
    static String line(String key, JsonNode answer) {
        StringBuilder line = new StringBuilder("found ").append(answer.path("key").asText(key));
        field(line, "version", answer.get("version"));
        field(line, "partition", answer.get("partition"));
        field(line, "role", answer.get("role"));
        field(line, "served-by", answer.get("servedBy"));
        if (answer.path("stale").asBoolean(false)) {
            line.append(" stale");
            field(line, "lag", answer.get("lag"));
        }
        JsonNode value = answer.get("value");
        line.append(" value=").append(value == null || value.isNull() ? "" : value.asText());
        return line.toString();
    }

    private static void field(StringBuilder line, String name, JsonNode value) {
        if (value != null && !value.isNull()) {
            line.append(' ').append(name).append('=').append(value.asText());
        }
    }

    /** The server's error message when the body is JSON with one, else the body's start. */
    private static String errorText(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            for (String field : new String[] {"error", "message", "title"}) {
                if (node != null && node.hasNonNull(field)) {
                    return node.get(field).asText();
                }
            }
        } catch (IOException e) {
            // not JSON
        }
        String text = body == null ? "" : body.strip();
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }
}
