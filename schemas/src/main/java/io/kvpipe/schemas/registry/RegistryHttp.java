package io.kvpipe.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one registry call: fails over to the next URL when one cannot be reached, retries a
 * bounded number of times (with backoff) on unreachable registries and 5xx answers, never on 4xx,
 * and turns every failure into a {@link SchemaRegistryException}.
 */
final class RegistryHttp {

    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String ACCEPT = "application/vnd.schemaregistry.v1+json, "
            + "application/vnd.schemaregistry+json; q=0.9, application/json; q=0.5";
    private static final Logger LOG = LoggerFactory.getLogger(RegistryHttp.class);

    private final RegistryClientConfig config;
    private final HttpClient http;
    private final ObjectMapper json;
    /** Index of the URL that last answered, tried first next time. */
    private volatile int preferred;

    RegistryHttp(RegistryClientConfig config, ObjectMapper json) {
        this.config = config;
        this.json = json;
        this.http = HttpClient.newBuilder()
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * GETs {@code path} (already URL-encoded) and returns the parsed JSON answer.
     *
     * @throws SchemaRegistryException as {@link #send}
     */
    JsonNode get(String path) {
        return send("GET", path, null);
    }

    /**
     * POSTs {@code body} as JSON to {@code path} (already URL-encoded) and returns the parsed
     * JSON answer.
     *
     * @throws SchemaRegistryException as {@link #send}
     */
    JsonNode post(String path, JsonNode body) {
        try {
            return send("POST", path, json.writeValueAsString(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a registry request body", e);
        }
    }

    /**
     * @throws SchemaRegistryException with the registry's error code for a 4xx answer, or for a
     *     5xx answer still failing after the last attempt; with {@link
     *     SchemaRegistryException#NO_ERROR_CODE} when no registry could be reached, or the answer
     *     is not the registry's JSON
     */
    private JsonNode send(String method, String path, String body) {
        List<URI> urls = config.urls();
        SchemaRegistryException lastFailure = null;
        for (int attempt = 1; attempt <= config.maxAttempts(); attempt++) {
            if (attempt > 1) {
                pause(config.backoff(attempt - 1), lastFailure);
            }
            int start = preferred;
            Throwable unreachable = null;
            for (int i = 0; i < urls.size(); i++) {
                int index = (start + i) % urls.size();
                URI base = urls.get(index);
                HttpResponse<String> response;
                try {
                    response = http.send(request(base, method, path, body),
                            HttpResponse.BodyHandlers.ofString());
                } catch (IOException e) {
                    // Unreachable: the next URL may answer.
                    unreachable = e;
                    continue;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SchemaRegistryException("interrupted while calling the schema registry at "
                            + base, e);
                }
                preferred = index;
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    return parse(base, method, path, response);
                }
                SchemaRegistryException failure = failure(base, method, path, response);
                if (status < 500) {
                    throw failure;
                }
                lastFailure = failure;
                unreachable = null;
                break;
            }
            if (unreachable != null) {
                lastFailure = new SchemaRegistryException("schema registry at " + joined(urls)
                        + " is unreachable: " + rootMessage(unreachable), unreachable);
            }
            if (attempt < config.maxAttempts()) {
                LOG.debug("schema registry call {} {} failed (attempt {} of {}): {}",
                        method, path, attempt, config.maxAttempts(), lastFailure.getMessage());
            }
        }
        throw lastFailure;
    }

    private HttpRequest request(URI base, String method, String path, String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(config.requestTimeout())
                .header("Accept", ACCEPT);
        config.authorization().ifPresent(value -> builder.header("Authorization", value));
        if (body == null) {
            return builder.method(method, HttpRequest.BodyPublishers.noBody()).build();
        }
        return builder.header("Content-Type", CONTENT_TYPE)
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private JsonNode parse(URI base, String method, String path, HttpResponse<String> response) {
        try {
            return json.readTree(response.body());
        } catch (IOException e) {
            throw new SchemaRegistryException("schema registry at " + base + " answered " + method
                    + " " + path + " with something that is not JSON: " + snippet(response.body()),
                    SchemaRegistryException.NO_ERROR_CODE);
        }
    }

    /** The registry's own error (error_code and message) when the body is one, else the status. */
    private SchemaRegistryException failure(URI base, String method, String path,
            HttpResponse<String> response) {
        String where = method + " " + base + path;
        try {
            JsonNode error = json.readTree(response.body());
            if (error != null && error.path("error_code").isInt()) {
                int code = error.get("error_code").asInt();
                return new SchemaRegistryException(error.path("message").asText("(no message)")
                        + " (error code " + code + ", HTTP " + response.statusCode() + " from "
                        + where + ")", code);
            }
        } catch (IOException notJson) {
            // Not a registry error body (a proxy page, say): report the status below.
        }
        return new SchemaRegistryException("HTTP " + response.statusCode() + " from " + where + ": "
                + snippet(response.body()), SchemaRegistryException.NO_ERROR_CODE);
    }

    private static void pause(Duration duration, SchemaRegistryException cause) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw cause;
        }
    }

    /**
     * The most specific message in the cause chain. JDK 17's HttpClient reports a refused
     * connection as message-less ConnectExceptions over a ClosedChannelException; a
     * ConnectException means the peer refused (no route and timeouts have their own types).
     */
    private static String rootMessage(Throwable error) {
        String message = null;
        boolean connectFailed = false;
        for (Throwable t = error; t != null; t = t.getCause()) {
            connectFailed |= t instanceof java.net.ConnectException;
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        if (message != null) {
            return message;
        }
        return connectFailed ? "Connection refused" : error.getClass().getSimpleName();
    }

    private static String joined(List<URI> urls) {
        return urls.stream().map(URI::toString).collect(Collectors.joining(", "));
    }

    private static String snippet(String body) {
        String oneLine = body == null ? "" : body.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...";
    }
}
