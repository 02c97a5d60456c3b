package io.kvpipe.producers.client;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * No outcome arrived for a request within the client's request timeout. The message names the
 * request id, the timeout, and whether Kafka had acknowledged the request (and where it landed).
 *
 * <p>The request may still be applied later. Send it again with the same id
 * ({@link KvClient#submit(String, java.util.List)}): the pipeline applies a request id at most once
 * and answers a retry with the first outcome.
 */
public class RequestTimeoutException extends TimeoutException {

    private static final long serialVersionUID = 1L;

    private final String requestId;
    private final Duration timeout;
    private final boolean acknowledged;

    public RequestTimeoutException(String requestId, Duration timeout, String where) {
        super("no outcome for request " + requestId + " within " + format(timeout)
                + (where == null
                        ? " (Kafka had not acknowledged the request: are the brokers reachable?)"
                        : " (the request was written to " + where + "; is the pipeline running?)"));
        this.requestId = requestId;
        this.timeout = timeout;
        this.acknowledged = where != null;
    }

    /** The id of the request that timed out: resend it with this id. */
    public String requestId() {
        return requestId;
    }

    /** How long the client waited. */
    public Duration timeout() {
        return timeout;
    }

    /** True when Kafka had acknowledged the request (it is on the log) before the timeout. */
    public boolean acknowledged() {
        return acknowledged;
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }
}
