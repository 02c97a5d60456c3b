package io.kvpipe.producers.client;

import io.kvpipe.avro.Request;
import io.kvpipe.producers.client.internals.PendingRequests;
import io.kvpipe.producers.client.internals.PendingRequests.Attempt;
import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import io.kvpipe.schemas.serde.BatchValueWriter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the client's requests to the requests topic, batched per partition.
 *
 * <p>Callers queue requests they have already encoded ({@link #enqueue}); one sender thread takes
 * everything queued at once, groups it by partition (the consistent-hash partition of each
 * request's routing key over the topic's current partition count), and writes each group as few
 * records as the limits allow: a {@code RequestBatch} of up to {@code maxBatchRequests} requests
 * and {@code maxBatchBytes} bytes, or a plain {@code Request} when a group (or what is left of
 * it) holds one. Nothing waits to fill a batch: at low load each request goes alone, as soon as
 * the thread is free, and under load the requests that queued while it was writing share records.
 * Order per partition is queue order.
 *
 * <p>The queue holds at most {@code maxQueuedBytes} of encoded requests (one request is always
 * admitted into an empty queue); a caller finding it full waits up to {@code maxBlock}, then its
 * request fails with a {@link RequestSendException}, as {@code KafkaProducer.send} would with a
 * full buffer.
 */
final class RequestBatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RequestBatcher.class);

    /**
     * A request waiting to be written: its Avro encoding and which send attempt of which pending
     * request it is. It goes to the partition of {@code routingKey}, and a copy of it to the
     * partition of each of {@code copyKeys} that differs (a cross-partition transaction sent to
     * every participant); a copy is only transport, its delivery does not settle the request.
     */
    record Queued(String routingKey, List<String> copyKeys, byte[] body, Attempt attempt) {}

    /** One record's share of a write: a request, or a copy of it for the partition of {@code key}. */
    private record Entry(Queued request, String key, boolean copy) {}

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final BatchValueWriter<Request> writer;
    private final PendingRequests pending;
    private final String clientId;
    private final int maxBatchRequests;
    private final int maxBatchBytes;
    private final long maxQueuedBytes;
    private final long maxBlockNanos;
    private final Thread thread;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private ArrayDeque<Queued> queue = new ArrayDeque<>();
    private long queuedBytes;
    private volatile boolean closed;

    /** Requests queued or taken and not yet handed to the producer (or failed). */
    private final AtomicInteger unsent = new AtomicInteger();
    private final LongAdder recordsSent = new LongAdder();
    private final LongAdder requestsSent = new LongAdder();

    RequestBatcher(Producer<String, byte[]> producer, String topic, BatchValueWriter<Request> writer, PendingRequests pending,
            String clientId, int maxBatchRequests, int maxBatchBytes, long maxQueuedBytes, Duration maxBlock) {
        this.producer = producer;
        this.topic = topic;
        this.writer = writer;
        this.pending = pending;
        this.clientId = clientId;
        this.maxBatchRequests = maxBatchRequests;
        this.maxBatchBytes = maxBatchBytes;
        this.maxQueuedBytes = maxQueuedBytes;
        this.maxBlockNanos = maxBlock.toNanos();
        this.thread = new Thread(this::run, "kvpipe-client-" + clientId + "-sender");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Queues a request; waits while the queue is full, at most {@code maxBlock}. Its future fails
     * if it cannot be queued (full for too long, or closed).
     */
    void enqueue(Queued request) {
        String requestId = request.attempt().requestId();
        lock.lock();
        try {
            long remaining = maxBlockNanos;
            while (!closed && queuedBytes > 0 && queuedBytes + request.body().length > maxQueuedBytes) {
                if (remaining <= 0) {
                    pending.failSend(request.attempt(), new RequestSendException("could not send request " + requestId
                            + ": the client's send queue stayed full (" + maxQueuedBytes + " bytes) for "
                            + TimeUnit.NANOSECONDS.toMillis(maxBlockNanos) + " ms (max.block.ms)", requestId, null));
                    return;
                }
                remaining = notFull.awaitNanos(remaining);
            }
            if (closed) {
                pending.fail(request.attempt().pending(), new ClientClosedException(clientId, requestId));
                return;
            }
            queue.add(request);
            queuedBytes += request.body().length;
            unsent.incrementAndGet();
            if (queue.size() == 1) {
                notEmpty.signal();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pending.failSend(request.attempt(), new RequestSendException("interrupted while queueing request "
                    + requestId, requestId, e));
        } finally {
            lock.unlock();
        }
    }

    /** Records written so far (each a batch or a plain request). */
    long recordsSent() {
        return recordsSent.sum();
    }

    /** Requests written so far. */
    long requestsSent() {
        return requestsSent.sum();
    }

    /** Requests queued and not yet handed to the producer. */
    int unsent() {
        return unsent.get();
    }

    private void run() {
        while (true) {
            ArrayDeque<Queued> taken;
            lock.lock();
            try {
                while (queue.isEmpty() && !closed) {
                    notEmpty.awaitUninterruptibly();
                }
                if (closed) {
                    unsent.set(0);
                    return; // what is still queued was failed by the client's close
                }
                taken = queue;
                queue = new ArrayDeque<>();
                queuedBytes = 0;
                notFull.signalAll();
            } finally {
                lock.unlock();
            }
            try {
                write(taken);
            } catch (RuntimeException e) {
                // Never let one bad round end the thread: fail what it held and go on.
                log.error("writing {} requests failed", taken.size(), e);
                for (Queued q : taken) {
                    failSend(q, e);
                }
            } finally {
                unsent.addAndGet(-taken.size());
            }
        }
    }

    private void write(ArrayDeque<Queued> taken) {
        int partitions;
        try {
            partitions = producer.partitionsFor(topic).size();
        } catch (RuntimeException e) {
            for (Queued q : taken) {
                failSend(q, e);
            }
            return;
        }
        if (partitions < 1) {
            throw new IllegalStateException("topic " + topic + " has no partitions");
        }
        List<List<Entry>> byPartition = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            byPartition.add(null);
        }
        for (Queued q : taken) {
            int home = ConsistentHashPartitioner.partitionFor(q.routingKey(), partitions);
            add(byPartition, home, new Entry(q, q.routingKey(), false));
            if (q.copyKeys().isEmpty()) {
                continue;
            }
            Set<Integer> copiedTo = new HashSet<>();
            for (String key : q.copyKeys()) {
                int p = ConsistentHashPartitioner.partitionFor(key, partitions);
                if (p != home && copiedTo.add(p)) {
                    add(byPartition, p, new Entry(q, key, true));
                }
            }
        }
        for (int p = 0; p < partitions; p++) {
            List<Entry> group = byPartition.get(p);
            if (group == null) {
                continue;
            }
            int from = 0;
            while (from < group.size()) {
                int to = from + 1;
                int bodyBytes = group.get(from).request().body().length;
                while (to < group.size() && to - from < maxBatchRequests) {
                    int more = bodyBytes + group.get(to).request().body().length;
                    if (BatchValueWriter.batchSize(to - from + 1, more) > maxBatchBytes) {
                        break;
                    }
                    bodyBytes = more;
                    to++;
                }
                send(p, group.subList(from, to));
                from = to;
            }
        }
    }

    private static void add(List<List<Entry>> byPartition, int partition, Entry entry) {
        List<Entry> group = byPartition.get(partition);
        if (group == null) {
            byPartition.set(partition, group = new ArrayList<>());
        }
        group.add(entry);
    }

    /**
     * Writes {@code entries} (all of partition {@code partition}) as one record. The record's
     * delivery settles the requests in it; a copy that fails is logged only: its transaction then
     * gets no vote from that partition and aborts at its deadline, which the client hears (unless
     * its coordinator also failed over before any vote came and forgot it: then no vote carries
     * the reply address, and the request times out here; a retry under its id gets the abort).
     */
    private void send(int partition, List<Entry> entries) {
        List<Entry> chunk = List.copyOf(entries);
        byte[] value;
        try {
            if (chunk.size() == 1) {
                value = writer.single(chunk.get(0).request().body());
            } else {
                List<byte[]> bodies = new ArrayList<>(chunk.size());
                for (Entry e : chunk) {
                    bodies.add(e.request().body());
                }
                value = writer.batch(bodies);
            }
        } catch (RuntimeException e) {
            log.warn("could not encode a record of {} requests for partition {}", chunk.size(), partition, e);
            failSend(chunk, e);
            return;
        }
        try {
            producer.send(new ProducerRecord<>(topic, partition, chunk.get(0).key(), value), (metadata, error) -> {
                for (Entry e : chunk) {
                    Queued q = e.request();
                    if (e.copy()) {
                        if (error != null) {
                            log.warn("the copy of transaction {} for partition {} was not written: {}",
                                    q.attempt().requestId(), partition, error.toString());
                        }
                    } else if (error != null) {
                        String id = q.attempt().requestId();
                        pending.failSend(q.attempt(), new RequestSendException("Kafka did not take request " + id
                                + ": " + error, id, error));
                    } else {
                        q.attempt().pending().acknowledged(metadata.topic(), metadata.partition(), metadata.offset());
                    }
                }
            });
            recordsSent.increment();
            requestsSent.add(chunk.stream().filter(e -> !e.copy()).count());
        } catch (RuntimeException e) {
            failSend(chunk, e);
        }
    }

    private void failSend(List<Entry> chunk, Exception e) {
        for (Entry entry : chunk) {
            if (!entry.copy()) {
                failSend(entry.request(), e);
            }
        }
    }

    /**
     * Fails a request the producer did not take: it could not encode it, had no metadata for the
     * topic within {@code max.block.ms}, or refused it; said the same way as a failed delivery.
     */
    private void failSend(Queued q, Exception e) {
        String id = q.attempt().requestId();
        if (closed) {
            pending.fail(q.attempt().pending(), new ClientClosedException(clientId, id));
        } else {
            pending.failSend(q.attempt(), new RequestSendException("Kafka did not take request " + id + ": " + e, id, e));
        }
    }

    /**
     * Stops taking requests (the client fails the pending ones) and waits for the sender thread up
     * to {@code timeout}; a write it is blocked in ends when the producer closes.
     */
    void stop() {
        lock.lock();
        try {
            closed = true;
            unsent.addAndGet(-queue.size());
            queue.clear();
            queuedBytes = 0;
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the sender thread to end, up to {@code timeout}. */
    void await(Duration timeout) {
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn("the sender thread {} did not stop within {} ms", thread.getName(), timeout.toMillis());
        }
    }

    @Override
    public void close() {
        stop();
    }
}
