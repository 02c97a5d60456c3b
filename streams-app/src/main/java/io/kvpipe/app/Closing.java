package io.kvpipe.app;

import java.util.Deque;
import org.slf4j.Logger;

/** Stops what was started, in order, so that one part failing to stop does not leave the rest running. */
final class Closing {

    private Closing() {}

    /**
     * Closes and removes every resource, from the head of the deque on (push what starts, and the
     * last started stops first); a failure is logged in one line and the rest still close.
     */
    static void closeAll(Deque<? extends AutoCloseable> resources, Logger log) {
        while (!resources.isEmpty()) {
            AutoCloseable next = resources.poll();
            try {
                next.close();
            } catch (Exception e) {
                log.warn("Stopping {}: {}", next.getClass().getSimpleName(), Failures.rootMessage(e));
            }
        }
    }
}
