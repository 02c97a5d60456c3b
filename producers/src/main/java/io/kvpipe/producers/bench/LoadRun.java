package io.kvpipe.producers.bench;

import io.kvpipe.producers.client.KvClient;
import io.kvpipe.producers.client.WriteResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A load through the producer API: {@code requests} puts over {@code keys} keys from
 * {@code clients} clients, each with at most {@code inFlight} requests outstanding. Latency is
 * measured from the call to the outcome's arrival, so it is what an application sees.
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

    /** What a run measured. */
    public record Result(long committed, long rejected, long failed, double seconds, Histogram latencyMicros,
            long recordsWritten, long requestsWritten) {

        /** Requests per requests-topic record the clients wrote: the average batch size. */
        public double requestsPerRecord() {
            return recordsWritten == 0 ? 0 : (double) requestsWritten / recordsWritten;
        }

        /** Outcomes (committed or rejected) returned per second. */
        public double throughput() {
            return (committed + rejected) / seconds;
        }

        /** A latency percentile in milliseconds. */
        public double percentileMs(double percentile) {
            return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    private LoadRun() {}

    /**
     * Runs the load and returns when every request has an outcome or has failed.
     *
     * @param clients makes one client per load thread (each reads its own reply partition); closed here
     * @param progress called with the number of requests finished so far, from any thread
     */
    public static Result run(Supplier<KvClient> clients, Settings settings, LongConsumer progress)
            throws InterruptedException {
        String value = "v".repeat(settings.valueBytes());
        Recorder latencies = new Recorder(TimeUnit.MINUTES.toMicros(5), 3);
        AtomicLong committed = new AtomicLong();
        AtomicLong rejected = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong done = new AtomicLong();
        CountDownLatch finished = new CountDownLatch(settings.requests());
        List<KvClient> opened = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        try {
            for (int c = 0; c < settings.clients(); c++) {
                opened.add(clients.get());
            }
            long start = System.nanoTime();
            for (int c = 0; c < settings.clients(); c++) {
                KvClient client = opened.get(c);
                int first = c;
                Thread thread = new Thread(() -> {
                    Semaphore window = new Semaphore(settings.inFlight());
                    for (int i = first; i < settings.requests(); i += settings.clients()) {
                        window.acquireUninterruptibly();
                        long sent = System.nanoTime();
                        CompletableFuture<WriteResult> outcome;
                        try {
                            outcome = client.put("key-" + (i % settings.keys()), value);
                        } catch (RuntimeException e) {
                            outcome = CompletableFuture.failedFuture(e);
                        }
                        outcome.whenComplete((result, error) -> {
                            latencies.recordValue(Math.max(1, (System.nanoTime() - sent) / 1000));
                            if (error != null) {
                                failed.incrementAndGet();
                            } else if (result.isCommitted()) {
                                committed.incrementAndGet();
                            } else {
                                rejected.incrementAndGet();
                            }
                            window.release();
                            progress.accept(done.incrementAndGet());
                            finished.countDown();
                        });
                    }
                }, "load-" + c);
                threads.add(thread);
                thread.start();
            }
            finished.await();
            double seconds = (System.nanoTime() - start) / 1e9;
            for (Thread thread : threads) {
                thread.join();
            }
            long records = 0;
            long written = 0;
            for (KvClient client : opened) {
                records += client.sendStats().records();
                written += client.sendStats().requests();
            }
            return new Result(committed.get(), rejected.get(), failed.get(), seconds, latencies.getIntervalHistogram(),
                    records, written);
        } finally {
            opened.forEach(KvClient::close);
        }
    }
}
