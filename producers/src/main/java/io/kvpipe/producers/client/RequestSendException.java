package io.kvpipe.producers.client;

/**
 * Kafka did not take the request: the producer could not serialize it (for example the schema
 * registry is unreachable), could not deliver it within its {@code delivery.timeout.ms} (the
 * brokers are unreachable), or refused it. The cause is the producer's exception.
 *
 * <p>When delivery timed out the request may still have reached the log; resend it with the same
 * id ({@link KvClient#submit(String, java.util.List)}) so that it is applied at most once.
 */
public class RequestSendException extends KvClientException {

    private static final long serialVersionUID = 1L;

    public RequestSendException(String message, String requestId, Throwable cause) {
        super(message, requestId, cause);
    }
}
