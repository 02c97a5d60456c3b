package io.kvpipe.producers.client;

/**
 * The client was closed before the request's outcome arrived, or the request was made after
 * {@link KvClient#close()}. The request may or may not have been applied (it may already be on
 * the log): another client can send it again with the same id to find out.
 */
public class ClientClosedException extends KvClientException {

    private static final long serialVersionUID = 1L;

    public ClientClosedException(String clientId, String requestId) {
        super("client " + clientId + " closed" + (requestId == null ? "" : " before request " + requestId
                + " had an outcome"), requestId, null);
    }
}
