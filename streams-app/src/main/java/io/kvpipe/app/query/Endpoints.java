package io.kvpipe.app.query;

import org.apache.kafka.streams.state.HostInfo;

/** {@code host:port} text of a {@link HostInfo}, as in {@code application.server} and heartbeats. */
public final class Endpoints {

    private Endpoints() {}

    public static String of(HostInfo host) {
        return host.host() + ":" + host.port();
    }

    /**
     * @throws IllegalArgumentException unless {@code endpoint} is {@code host:port}
     */
    public static HostInfo parse(String endpoint) {
        int colon = endpoint == null ? -1 : endpoint.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("an endpoint is host:port, got '" + endpoint + "'");
        }
        try {
            return new HostInfo(endpoint.substring(0, colon), Integer.parseInt(endpoint.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("an endpoint is host:port, got '" + endpoint + "'");
        }
    }
}
