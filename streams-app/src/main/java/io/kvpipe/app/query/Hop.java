package io.kvpipe.app.query;

/**
 * Whether a read came from a client or was forwarded by another instance, and for what. A forwarded
 * read is served here or not at all, never forwarded again, so forwarding cannot loop. On the wire:
 * the {@value #FORWARDED_BY} header (the forwarding instance's id) and {@value #WANT} ({@code
 * primary} or {@code replica}).
 */
public enum Hop {
    /** From a client: route it. */
    ORIGIN,
    /** Forwarded to the active instance: serve from the local active store or answer 503. */
    FOR_PRIMARY,
    /** Forwarded to a standby instance: serve from the local store (labelled by what it is) or answer 503. */
    FOR_REPLICA;

    public static final String FORWARDED_BY = "X-KVPipe-Forwarded-By";
    public static final String WANT = "X-KVPipe-Want";

    /** The {@value #WANT} header value. */
    public String want() {
        return this == FOR_PRIMARY ? "primary" : "replica";
    }
}
