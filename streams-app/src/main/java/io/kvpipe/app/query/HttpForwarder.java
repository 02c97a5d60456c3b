package io.kvpipe.app.query;

import io.kvpipe.schemas.ReadPosition;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Forwards a read with {@code java.net.http}: {@code GET http://<target>/kv?key=<key>} (the key as a
 * query parameter, so any key survives the trip), with the hop headers of {@link Hop}, the position
 * (in its token form, offset or version, so the other instance waits for the same thing) and the
 * wait. Connecting may take {@code timeout}; the answer may take {@code timeout} plus the
 * wait for the position.
 */
public final class HttpForwarder implements Forwarder {

    private final String instanceId;
    private final Duration timeout;
    private final HttpClient client;

    public HttpForwarder(String instanceId, Duration timeout) {
        this.instanceId = instanceId;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    @Override
    public Answer forward(HostInfo target, String key, Hop hop, ReadPosition position, Duration wait) {
        StringBuilder uri = new StringBuilder("http://").append(Endpoints.of(target)).append("/kv?key=")
                .append(encode(key)).append("&timeoutMs=").append(wait.toMillis());
        if (position != null) {
            uri.append("&position=").append(encode(position.token()));
        }
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(uri.toString()))
                    .timeout(timeout.plus(wait))
                    .header(Hop.FORWARDED_BY, instanceId)
                    .header(Hop.WANT, hop.want())
                    .header("Accept", "application/json")
                    .GET()
                    .build();
        } catch (IllegalArgumentException e) {
            return Answer.none("bad address " + Endpoints.of(target) + ": " + e.getMessage());
        }
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return Answer.of(response.statusCode(), response.body());
        } catch (HttpTimeoutException e) {
            return Answer.none(Endpoints.of(target) + " did not answer within " + timeout.plus(wait).toMillis() + " ms");
        } catch (IOException e) {
            return Answer.none(Endpoints.of(target) + " unreachable: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Answer.none("interrupted while asking " + Endpoints.of(target));
        }
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
