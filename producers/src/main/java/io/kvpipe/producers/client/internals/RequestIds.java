package io.kvpipe.producers.client.internals;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Request ids: a random UUID drawn once per client instance, then a counter:
 * {@code 3f0c2a5e-8d4b-4c1e-9b1d-5a7f0e2c9d11-17}. Unique across clients and across restarts of a
 * client with the same client id (a restart draws a new UUID), without a random draw per request.
 * Applications treat them as opaque strings.
 */
public final class RequestIds {

    private final String session;
    private final AtomicLong counter = new AtomicLong();

    public RequestIds() {
        this(UUID.randomUUID().toString());
    }

    RequestIds(String session) {
        this.session = session + "-";
    }

    public String next() {
        return session + counter.incrementAndGet();
    }
}
