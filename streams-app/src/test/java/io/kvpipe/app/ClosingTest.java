package io.kvpipe.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ClosingTest {

    @Test
    void everythingClosesLastStartedFirstEvenWhenOnePartFailsToStop() {
        List<String> closed = new ArrayList<>();
        Deque<AutoCloseable> started = new ArrayDeque<>();
        started.push(() -> closed.add("broker"));
        started.push(() -> {
            closed.add("registry");
            throw new IllegalStateException("port stuck");
        });
        started.push(() -> closed.add("app"));

        Closing.closeAll(started, LoggerFactory.getLogger(ClosingTest.class));

        assertThat(closed).containsExactly("app", "registry", "broker");
        assertThat(started).isEmpty();
    }
}
