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
 *
 * <p>A transaction lookup ({@link #askTxn}) is {@code GET http://<target>/txn?id=<id>} with the
 * {@link Hop#FORWARDED_BY} header, so the target searches only its own stores; its answer may take
 * {@code timeout}.
 */
public final class HttpForwarder implements Forwarder, TxnForwarder {

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
        StringBuilder path = new StringBuilder("/kv?key=").append(encode(key))
                .append("&timeoutMs=").append(wait.toMillis());
        if (position != null) {
            path.append("&position=").append(encode(position.token()));
        }
        return send(target, path.toString(), hop.want(), timeout.plus(wait));
    }

    @Override
    public Answer askTxn(HostInfo target, String transactionId) {
        return send(target, "/txn?id=" + encode(transactionId), null, timeout);
    }

    /**
     * GETs {@code path} from {@code target} as a forwarded request, within {@code answerTimeout}.
     *
     * @param want the {@link Hop#WANT} header, or null for none
     */
    private Answer send(HostInfo target, String path, String want, Duration answerTimeout) {
        HttpRequest request;
        try {
            HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://" + Endpoints.of(target) + path))
                    .timeout(answerTimeout)
                    .header(Hop.FORWARDED_BY, instanceId)
                    .header("Accept", "application/json")
                    .GET();
            if (want != null) {
                builder.header(Hop.WANT, want);
            }
            request = builder.build();
        } catch (IllegalArgumentException e) {
            return Answer.none("bad address " + Endpoints.of(target) + ": " + e.getMessage());
        }
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return Answer.of(response.statusCode(), response.body());
        } catch (HttpTimeoutException e) {
            return Answer.none(Endpoints.of(target) + " did not answer within " + answerTimeout.toMillis() + " ms");
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
