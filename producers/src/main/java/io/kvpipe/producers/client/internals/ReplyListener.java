package io.kvpipe.producers.client.internals;

import java.time.Duration;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that reads the client's reply partition and hands each record to a handler. The
 * consumer is assigned and positioned before {@link #start()}; from then on only this thread
 * touches it (and closes it on the way out).
 *
 * <p>Errors from {@code poll} do not end the thread: it logs them, remembers the last one (a
 * timeout's message can point at it) and polls again after a pause, so a broker that comes back
 * brings the outcomes back.
 */
public final class ReplyListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplyListener.class);
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);
    private static final long ERROR_BACKOFF_MS = 500;

    private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
    private final Consumer<ConsumerRecord<byte[], byte[]>> handler;
    private final Duration closeTimeout;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean started;
    private volatile Exception lastError;

    public ReplyListener(org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer,
            Consumer<ConsumerRecord<byte[], byte[]>> handler, Duration closeTimeout, String threadName) {
        this.consumer = consumer;
        this.handler = handler;
        this.closeTimeout = closeTimeout;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    public void start() {
        started = true;
        thread.start();
    }

    /** The last error {@code poll} raised, or null. */
    public Exception lastError() {
        return lastError;
    }

    private void run() {
        try {
            while (running) {
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(POLL_TIMEOUT);
                } catch (WakeupException | InterruptException e) {
                    if (!running) {
                        break;
                    }
                    continue;
                } catch (KafkaException e) {
                    lastError = e;
                    log.warn("reading the reply partition failed, retrying: {}", e.toString());
                    pause();
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    try {
                        handler.accept(record);
                    } catch (RuntimeException e) {
                        log.error("handling the outcome at {}-{}@{} failed", record.topic(), record.partition(),
                                record.offset(), e);
                    }
                }
            }
        } finally {
            closeConsumer();
        }
    }

    private void pause() {
        try {
            Thread.sleep(ERROR_BACKOFF_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private void closeConsumer() {
        try {
            consumer.close(CloseOptions.timeout(closeTimeout));
        } catch (RuntimeException e) {
            log.warn("closing the results consumer: {}", e.toString());
        }
    }

    /**
     * Stops the thread and waits for it (and the consumer's close) up to the close timeout plus a
     * second. Called from the thread itself (a dependent action that closes the client), it does
     * not wait.
     */
    @Override
    public void close() {
        running = false;
        if (!started) {
            closeConsumer();
            return;
        }
        consumer.wakeup();
        if (Thread.currentThread() == thread || !thread.isAlive()) {
            return;
        }
        try {
            thread.join(closeTimeout.toMillis() + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn("the results thread {} did not stop within {} ms", thread.getName(),
                    closeTimeout.toMillis() + 1000);
        }
    }
}
