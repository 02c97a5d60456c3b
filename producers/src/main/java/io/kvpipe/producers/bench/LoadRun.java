package io.kvpipe.producers.bench;

import io.kvpipe.producers.client.KvClient;
import io.kvpipe.producers.client.RejectReason;
import io.kvpipe.producers.client.WriteResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A load through the producer API: {@code requests} requests (puts over {@code keys} keys, or
 * another {@link Workload}) from {@code clients} clients, each with at most {@code inFlight}
 * requests outstanding. Latency is measured from the call to the outcome's arrival, so it is what
 * an application sees.
 */
public final class LoadRun {

    /** The shape of a run. */
    public record Settings(int requests, int keys, int clients, int inFlight, int valueBytes) {
        public Settings {
            if (requests < 1 || keys < 1 || clients < 1 || inFlight < 1 || valueBytes < 0) {
                throw new IllegalArgumentException("requests, keys, clients and in-flight must be positive");
            }
        }
    }

    /**
     * What a run measured. {@code rejected} and {@code aborted} count the outcomes of those
     * statuses, also by reason; {@code failed} the requests whose outcome is unknown. A run stops
     * sending at the first request that fails, warm-up included: {@code firstFailure} is why (null
     * if none failed) and {@code notSent} how many it did not send.
     */
    public record Result(long committed, long rejected, long aborted, long failed, double seconds,
            Histogram latencyMicros, LatencySplit split, long recordsWritten, long requestsWritten,
            Map<RejectReason, Long> rejectedByReason, Map<RejectReason, Long> abortedByReason, long notSent,
            Throwable firstFailure) {

        /** Why the first failed request failed, on one line: its message, else its type; null if none failed. */
        public String failureMessage() {
            if (firstFailure == null) {
                return null;
            }
            String message = firstFailure.getMessage();
            return message == null ? firstFailure.getClass().getSimpleName() : message.replaceAll("\\s*\\R\\s*", " ");
        }

        /** Requests per requests-topic record the clients wrote: the average batch size. */
        public double requestsPerRecord() {
            return recordsWritten == 0 ? 0 : (double) requestsWritten / recordsWritten;
        }

        /** Outcomes (committed, rejected or aborted) returned per second. */
        public double throughput() {
            return (committed + rejected + aborted) / seconds;
        }

        /** Committed requests per second. */
        public double committedPerSecond() {
            return committed / seconds;
        }

        /** A latency percentile in milliseconds. */
        public double percentileMs(double percentile) {
            return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
        }

        /** A percentile of the time from the send to the deciding step, in milliseconds (see {@link LatencySplit}). */
        public long untilDecidedMs(double percentile) {
            return split.untilDecidedMs().getValueAtPercentile(percentile);
        }

        /** A percentile of the time from the deciding step to the outcome's arrival, in milliseconds. */
        public long afterDecidedMs(double percentile) {
            return split.afterDecidedMs().getValueAtPercentile(percentile);
        }

        /** The split's percentiles as JSON fields, without braces. */
        String splitJson() {
            return String.format(Locale.ROOT, "\"until_decided_p50_ms\":%d,\"until_decided_p99_ms\":%d,"
                            + "\"after_decided_p50_ms\":%d,\"after_decided_p99_ms\":%d", untilDecidedMs(50),
                    untilDecidedMs(99), afterDecidedMs(50), afterDecidedMs(99));
        }
    }

    /**
     * Where the latency of the measured requests that got an outcome went, by the outcome's own
     * time stamp (when the pipeline's step decided it): from the send to that step, and from it to
     * the outcome's arrival here, the commit that makes it visible included. Milliseconds, each side
     * on its own machine's wall clock: on one machine (the embedded default) the two add up to the
     * latency; across machines their clocks' skew moves time from one to the other (clamped at 0).
     */
    public record LatencySplit(Histogram untilDecidedMs, Histogram afterDecidedMs) {

        /** The longest part recorded; longer ones count as this. */
        static final long MAX_MS = TimeUnit.MINUTES.toMillis(5);

        static long clamped(long ms) {
            return Math.min(MAX_MS, Math.max(0, ms));
        }
    }

    private LoadRun() {}

    /** What a dependent future's {@link CompletionException} wraps: the failure itself. */
    private static Throwable unwrapped(Throwable error) {
        Throwable t = error;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * Runs the load and returns when every request has an outcome or has failed. After the first
     * failure (no outcome: a timeout, a send error, a closed client) each client sends at most one
     * more (one it was already sending) and then none: a run whose
     * requests fail measures nothing, and against an unreachable broker each would take the
     * client's whole timeout to fail.
     *
     * @param clients makes one client per load thread (each reads its own reply partition); closed here
     * @param progress called with the number of requests finished so far, from any thread
     */
    public static Result run(Supplier<KvClient> clients, Settings settings, LongConsumer progress)
            throws InterruptedException {
        return run(clients, settings, Workload.puts(settings.keys(), settings.valueBytes()), progress);
    }

    /**
     * As {@link #run(Supplier, Settings, LongConsumer)}, sending {@code workload}'s requests
     * ({@code settings.keys()} and {@code valueBytes()} are then the workload's business).
     */
    public static Result run(Supplier<KvClient> clients, Settings settings, Workload workload, LongConsumer progress)
            throws InterruptedException {
        return run(clients, settings, 0, workload, progress);
    }

    /**
     * As {@link #run(Supplier, Settings, Workload, LongConsumer)}, but first {@code warmUp}
     * unmeasured requests, in the same stream: the clients send {@code warmUp + requests} without
     * a pause, and the measurement starts when the {@code warmUp}-th outcome arrives. So the
     * measured requests meet a warm pipeline that is already full, and what is measured is its
     * steady rate, not the time to fill it (one latency, a large share of a short run). Only the
     * measured requests are counted and their latencies recorded; {@code progress} counts all.
     */
    public static Result run(Supplier<KvClient> clients, Settings settings, int warmUp, Workload workload,
            LongConsumer progress) throws InterruptedException {
        if (warmUp < 0) {
            throw new IllegalArgumentException("warm-up must not be negative, got " + warmUp);
        }
        int total = Math.addExact(warmUp, settings.requests());
        Recorder latencies = new Recorder(TimeUnit.MINUTES.toMicros(5), 3);
        Recorder untilDecided = new Recorder(LatencySplit.MAX_MS, 3);
        Recorder afterDecided = new Recorder(LatencySplit.MAX_MS, 3);
        Tally tally = new Tally();
        AtomicLong done = new AtomicLong();
        AtomicLong measuredFrom = new AtomicLong();
        CountDownLatch finished = new CountDownLatch(total);
        AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        AtomicLong notSent = new AtomicLong();
        List<KvClient> opened = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        try {
            for (int c = 0; c < settings.clients(); c++) {
                opened.add(clients.get());
            }
            measuredFrom.set(System.nanoTime());
            for (int c = 0; c < settings.clients(); c++) {
                KvClient client = opened.get(c);
                int first = c;
                SplittableRandom random = new SplittableRandom(ThreadLocalRandom.current().nextLong());
                Thread thread = new Thread(() -> {
                    Semaphore window = new Semaphore(settings.inFlight());
                    for (int i = first; i < total; i += settings.clients()) {
                        window.acquireUninterruptibly();
                        if (firstFailure.get() != null) {
                            window.release();
                            notSent.incrementAndGet();
                            finished.countDown();
                            continue;
                        }
                        boolean measured = i >= warmUp;
                        long sent = System.nanoTime();
                        long sentWallMs = System.currentTimeMillis();
                        CompletableFuture<WriteResult> outcome;
                        try {
                            outcome = workload.send(client, i, random);
                        } catch (RuntimeException e) {
                            outcome = CompletableFuture.failedFuture(e);
                        }
                        outcome.whenComplete((result, error) -> {
                            try {
                                if (error != null) {
                                    firstFailure.compareAndSet(null, unwrapped(error));
                                }
                                if (measured) {
                                    latencies.recordValue(Math.max(1, (System.nanoTime() - sent) / 1000));
                                    tally.count(error != null ? null : result);
                                    if (result != null) {
                                        long decided = result.timestampMs();
                                        untilDecided.recordValue(LatencySplit.clamped(decided - sentWallMs));
                                        afterDecided.recordValue(LatencySplit.clamped(System.currentTimeMillis() - decided));
                                    }
                                }
                                window.release();
                                long n = done.incrementAndGet();
                                if (n == warmUp) {
                                    measuredFrom.set(System.nanoTime());
                                }
                                progress.accept(n);
                            } finally {
                                // Whatever the callback above throws, the run must still end.
                                finished.countDown();
                            }
                        });
                    }
                }, "load-" + c);
                threads.add(thread);
                thread.start();
            }
            finished.await();
            double seconds = (System.nanoTime() - measuredFrom.get()) / 1e9;
            for (Thread thread : threads) {
                thread.join();
            }
            long records = 0;
            long written = 0;
            for (KvClient client : opened) {
                records += client.sendStats().records();
                written += client.sendStats().requests();
            }
            Map<RejectReason, Long> rejected = tally.rejectedByReason();
            Map<RejectReason, Long> aborted = tally.abortedByReason();
            return new Result(tally.committed(), Tally.total(rejected), Tally.total(aborted), tally.failed(), seconds,
                    latencies.getIntervalHistogram(),
                    new LatencySplit(untilDecided.getIntervalHistogram(), afterDecided.getIntervalHistogram()), records,
                    written, rejected, aborted, notSent.get(),
                    firstFailure.get());
        } finally {
            opened.forEach(KvClient::close);
        }
    }
}
