package io.kvpipe.app.embedded;

import io.kvpipe.app.StartupException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Checks, before anything starts, that the ports the embedded default needs are free. */
final class Ports {

    private Ports() {}

    /**
     * @throws StartupException naming the port and its use if something already listens there
     */
    static void requireFree(String host, int port, String what, String flag) {
        try (ServerSocket socket = new ServerSocket()) {
            // As Kafka's and Jetty's acceptors do: a port in TIME_WAIT after a restart is free, a
            // port with a live listener is not.
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new StartupException("port " + port + " on " + host + " (" + what + ") is already in use: "
                    + "stop what listens there or choose another port with " + flag);
        }
    }

    /** An ephemeral port free at the time of asking (for tests and --random-ports). */
    static int pickFree(String host) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(host, 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new StartupException("could not find a free port on " + host + ": " + e.getMessage(), e);
        }
    }
}
