package io.kvpipe.app.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.avro.Schema;

/** Raw HTTP calls to a registry, for asserting exact statuses, content types and JSON bodies. */
final class RegistryCalls {

    record Response(int status, String contentType, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();
    private static final String V1 = "application/vnd.schemaregistry.v1+json";

    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;

    RegistryCalls(String base) {
        this.base = base;
    }

    Response get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    Response delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    Response post(String path, String json) {
        return post(path, json, V1);
    }

    Response post(String path, String json, String contentType) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    Response put(String path, String json) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", V1)
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** POSTs {"schema": "<schema>"} to {@code path}. */
    Response postSchema(String path, Schema schema) {
        return post(path, schemaBody(schema.toString()));
    }

    /** Registers {@code schema} under {@code subject}, returning the raw answer. */
    Response register(String subject, Schema schema) {
        return postSchema("/subjects/" + subject + "/versions", schema);
    }

    static String schemaBody(String schemaText) {
        return JSON.createObjectNode().put("schema", schemaText).toString();
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }

    private Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(""), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
