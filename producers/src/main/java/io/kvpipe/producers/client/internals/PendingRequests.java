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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
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
 *
 * <p>A retry of an id that is still pending is a new send {@link Attempt} of the same request,
 * sharing its future. Only the latest attempt's send failure fails the future: an earlier
 * attempt's failure that arrives late says nothing about the retry, which Kafka may have taken
 * (and whose outcome will come).
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
        private final AtomicLong attempts = new AtomicLong();

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

        /** Whether {@code generation} is the latest send attempt of this request. */
        boolean isLatest(long generation) {
            return attempts.get() == generation;
        }

        /** Kafka acknowledged the request at this position of the requests topic. */
        public void acknowledged(String topic, int partition, long offset) {
            where = topic + "-" + partition + "@" + offset;
        }
    }

    /** One send of a pending request; {@code generation} counts the sends of its id from 1. */
    public record Attempt(Pending pending, long generation) {

        public String requestId() {
            return pending.requestId();
        }

        public CompletableFuture<WriteResult> future() {
            return pending.future();
        }
    }

    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Duration timeout;
    private final Executor completions;
    private final ScheduledExecutorService timer;
    /** {@link System#nanoTime()}, or a test's clock. */
    private final LongSupplier nanoClock;

    /**
     * @param timeout how long a request waits for its outcome
     * @param completions where futures complete; null for the calling thread
     * @param threadName the name of the sweep thread
     */
    public PendingRequests(Duration timeout, Executor completions, String threadName) {
        this(timeout, completions, threadName, System::nanoTime);
    }

    /** As above, on {@code nanoClock} (a test's), which deadlines and the sweep read. */
    PendingRequests(Duration timeout, Executor completions, String threadName, LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
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
     * Registers a send attempt of {@code requestId}: the first, or a retry of a request pending
     * already, which shares its future, starts its deadline again and becomes its latest attempt.
     */
    public Attempt register(String requestId) {
        return register(requestId, timeout);
    }

    /**
     * As {@link #register(String)}, but waiting {@code wait} rather than the default timeout (a
     * transaction that may take longer than that).
     */
    public Attempt register(String requestId, Duration wait) {
        long deadline = nanoClock.getAsLong() + wait.toNanos();
        Pending p = pending.computeIfAbsent(requestId, id -> new Pending(id, wait, deadline));
        p.timeout = wait;
        p.deadlineNanos = deadline;
        return new Attempt(p, p.attempts.incrementAndGet());
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

    /**
     * Fails the request because this send attempt failed, unless a later attempt (a retry) has
     * been registered since, or it completed already.
     *
     * @return whether the request failed
     */
    public boolean failSend(Attempt attempt, Throwable error) {
        Pending p = attempt.pending();
        if (!p.isLatest(attempt.generation())) {
            log.debug("request {}: send attempt {} failed, but a later attempt is under way: {}", p.requestId,
                    attempt.generation(), error.toString());
            return false;
        }
        return fail(p, error);
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
            long now = nanoClock.getAsLong();
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
