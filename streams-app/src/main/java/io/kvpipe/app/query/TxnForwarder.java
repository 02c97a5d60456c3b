package io.kvpipe.app.query;

import org.apache.kafka.streams.state.HostInfo;

/** Asks another instance what its own active stores know of a transaction; {@link HttpForwarder} does it over HTTP. */
@FunctionalInterface
public interface TxnForwarder {

    /**
     * Asks {@code target} to search only its own stores (the {@link Hop#FORWARDED_BY} header), so
     * that a lookup fans out once and never again.
     */
    Forwarder.Answer askTxn(HostInfo target, String transactionId);
}
