package io.kvpipe.producers.client.internals;

import io.kvpipe.producers.client.RequestTimeoutException;
import io.kvpipe.producers.client.WriteResult;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests waiting for their outcome, by request id, and their timeouts.
 *
 * <p>Timeouts cost no thread and no timer task per request: one scheduled sweep (every
 * {@link #tick} = a twentieth of the timeout, between 10 and 200 ms) fails the requests whose
 * deadline has passed. So a request fails between its timeout and its timeout plus one tick, and
 * the memory held is only that of the requests actually pending.
 *
 * <p>Each request completes exactly once: whoever removes it from the map (the outcome, the
 * timeout sweep, a send failure, close) completes it.
 */
public final class PendingRequests implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PendingRequests.class);

    /** One request waiting for its outcome. */
    public static final class Pending {
        private final String requestId;
        private final CompletableFuture<WriteResult> future = new CompletableFuture<>();
        private volatile long deadlineNanos;
        private volatile Duration timeout;
        private volatile String where;

        Pending(String requestId, Duration timeout, long deadlineNanos) {
            this.requestId = requestId;
            this.timeout = timeout;
            this.deadlineNanos = deadlineNanos;
        }

        public String requestId() {
            return requestId;
        }

        public CompletableFuture<WriteResult> future() {
            return future;
        }

        /** Kafka acknowledged the request at this position of the requests topic. */
        public void acknowledged(String topic, int partition, long offset) {
            where = topic + "-" + partition + "@" + offset;
        }
    }

    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Duration timeout;
    private final Executor completions;
    private final ScheduledExecutorService timer;

    /**
     * @param timeout how long a request waits for its outcome
     * @param completions where futures complete; null for the calling thread
     * @param threadName the name of the sweep thread
     */
    public PendingRequests(Duration timeout, Executor completions, String threadName) {
        this.timeout = timeout;
        this.completions = completions;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.timer = executor;
        long tick = tick(timeout).toMillis();
        timer.scheduleAtFixedRate(this::sweep, tick, tick, TimeUnit.MILLISECONDS);
    }

    /** The sweep period for a timeout: a twentieth of it, between 10 and 200 ms. */
    static Duration tick(Duration timeout) {
        return Duration.ofMillis(Math.max(10, Math.min(200, timeout.toMillis() / 20)));
    }

    /**
     * Registers {@code requestId}, or finds it if it is pending already (an application retry):
     * then the retry shares the pending request's future and its deadline starts again.
     */
    public Pending register(String requestId) {
        return register(requestId, timeout);
    }

    /**
     * As {@link #register(String)}, but waiting {@code wait} rather than the default timeout (a
     * transaction that may take longer than that).
     */
    public Pending register(String requestId, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        Pending p = pending.computeIfAbsent(requestId, id -> new Pending(id, wait, deadline));
        p.timeout = wait;
        p.deadlineNanos = deadline;
        return p;
    }

    /** The pending request with this id, or null (an outcome for another client, or a late one). */
    public Pending get(String requestId) {
        return pending.get(requestId);
    }

    /** Completes {@code p} with its outcome, unless it completed already. */
    public boolean complete(Pending p, WriteResult result) {
        if (!pending.remove(p.requestId, p)) {
            return false;
        }
        run(() -> p.future.complete(result));
        return true;
    }

    /** Fails {@code p}, unless it completed already. */
    public boolean fail(Pending p, Throwable error) {
        if (!pending.remove(p.requestId, p)) {
            return false;
        }
        run(() -> p.future.completeExceptionally(error));
        return true;
    }

    /** Fails every pending request with the error {@code errorFor} gives for its id. */
    public void failAll(Function<String, Throwable> errorFor) {
        for (Pending p : pending.values()) {
            fail(p, errorFor.apply(p.requestId));
        }
    }

    /** How many requests are waiting for their outcome. */
    public int size() {
        return pending.size();
    }

    /** Fails the requests whose deadline has passed. */
    void sweep() {
        try {
            long now = System.nanoTime();
            for (Pending p : pending.values()) {
                if (now - p.deadlineNanos >= 0) {
                    fail(p, new RequestTimeoutException(p.requestId, p.timeout, p.where));
                }
            }
        } catch (RuntimeException e) {
            // Never let an exception cancel the periodic sweep.
            log.warn("timeout sweep failed", e);
        }
    }

    private void run(Runnable completion) {
        if (completions == null) {
            completion.run();
        } else {
            try {
                completions.execute(completion);
            } catch (RuntimeException e) {
                // A rejecting executor (shut down?) must not lose the completion.
                completion.run();
            }
        }
    }

    /** Stops the sweep; pending requests are failed by the caller first. */
    @Override
    public void close() {
        timer.shutdownNow();
    }
}
