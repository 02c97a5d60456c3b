package io.kvpipe.producers.client;

/**
 * A request failed for a reason other than its outcome (a rejection is a normal
 * {@link WriteResult}) and other than a timeout ({@link RequestTimeoutException}): the client was
 * closed, Kafka did not take the request, or its outcome could not be decoded.
 *
 * <p>A request that failed this way may or may not have been applied; send it again with the
 * same id ({@link KvClient#submit(String, java.util.List)}) to apply it at most once and learn its
 * outcome.
 */
public class KvClientException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String requestId;

    public KvClientException(String message, String requestId, Throwable cause) {
        super(message, cause);
        this.requestId = requestId;
    }

    public KvClientException(String message, Throwable cause) {
        this(message, null, cause);
    }

    /** The id of the request that failed, or null when the failure is not about one request. */
    public String requestId() {
        return requestId;
    }
}
