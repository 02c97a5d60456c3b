package io.kvpipe.producers.testing;

import io.kvpipe.avro.Check;
import io.kvpipe.avro.KeyVersion;
import io.kvpipe.avro.Operation;
import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.OutcomeStatus;
import io.kvpipe.avro.RejectReason;
import io.kvpipe.avro.Request;
import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import io.kvpipe.schemas.RequestsValue;
import io.kvpipe.schemas.Topics;
import io.kvpipe.schemas.registry.RestSchemaRegistryClient;
import io.kvpipe.schemas.registry.SchemaRegistryClient;
import io.kvpipe.schemas.serde.AvroDeserializer;
import io.kvpipe.schemas.serde.AvroSerializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A stand-in for the streams app (not the real one): reads the requests topic and writes an
 * outcome to each request's reply partition, keyed by request id. Like the app it answers a
 * repeated request id with the first outcome, and leaves a participant's copy of a transaction
 * unanswered. What it answers depends on the first key's prefix:
 *
 * <ul>
 *   <li>{@code silent:} no outcome at all;
 *   <li>{@code reject:} REJECTED, VERSION_MISMATCH, "expected 2, found 3";
 *   <li>{@code abort:} ABORTED, LOCK_CONFLICT on the last op, as a transaction;
 *   <li>{@code misdirected:} the outcome goes to another partition than the reply partition;
 *   <li>{@code decoy:} first a REJECTED outcome with the same id to another partition, half a second
 *       later the COMMITTED one to the reply partition;
 *   <li>anything else: COMMITTED, each written key with its next version and the request's
 *       partition and offset as position; with several ops, the request id as transaction id.
 * </ul>
 */
public final class Responder implements AutoCloseable {

    private final Topics topics;
    private final int resultPartitions;
    private final KafkaConsumer<String, Object> consumer;
    private final KafkaProducer<String, Outcome> producer;
    private final SchemaRegistryClient registry;
    private final Map<String, Outcome> firstOutcome = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    private final Map<String, Long> versions = new ConcurrentHashMap<>();
    private final int requestPartitions;
    private final Thread thread;
    private volatile boolean running = true;

    public Responder(String bootstrapServers, String registryUrl, Topics topics, int resultPartitions) {
        this.topics = topics;
        this.resultPartitions = resultPartitions;
        this.registry = RestSchemaRegistryClient.forUrl(registryUrl);
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new AvroDeserializer<>(registry, RequestsValue.SCHEMA));
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 1),
                new StringSerializer(), new AvroSerializer<>(registry, false));
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo p : consumer.partitionsFor(topics.requests())) {
            partitions.add(new TopicPartition(p.topic(), p.partition()));
        }
        consumer.assign(partitions);
        requestPartitions = partitions.size();
        thread = new Thread(this::run, "responder");
        thread.setDaemon(true);
        thread.start();
    }

    /** How many requests with this id it has read. */
    public int timesSeen(String requestId) {
        AtomicInteger n = seen.get(requestId);
        return n == null ? 0 : n.get();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, Object> record : consumer.poll(Duration.ofMillis(200))) {
                    // A batch's requests are answered one by one, like records of their own.
                    for (Request request : RequestsValue.requests(record.value())) {
                        answer(record, request);
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (Exception e) {
            if (running) {
                throw new IllegalStateException("the responder failed", e);
            }
        } finally {
            consumer.close();
        }
    }

    private void answer(ConsumerRecord<String, Object> record, Request request) throws Exception {
        if (request.getSentToParticipants() && ConsistentHashPartitioner.partitionFor(
                request.getOps().get(0).getKey(), requestPartitions) != record.partition()) {
            return; // a participant's copy of a transaction: the coordinator's partition answers
        }
        String id = request.getRequestId();
        seen.computeIfAbsent(id, i -> new AtomicInteger()).incrementAndGet();
        String key = request.getOps().get(0).getKey();
        if (key.startsWith("silent:") || request.getReplyTo() == null) {
            return;
        }
        Outcome outcome = firstOutcome.computeIfAbsent(id, i -> decide(request, record));
        int reply = request.getReplyTo().getPartition();
        int elsewhere = (reply + 1) % resultPartitions;
        if (key.startsWith("misdirected:")) {
            producer.send(new ProducerRecord<>(topics.results(), elsewhere, id, outcome)).get();
            return;
        }
        if (key.startsWith("decoy:")) {
            Outcome decoy = Outcome.newBuilder(outcome).setStatus(OutcomeStatus.REJECTED)
                    .setReason(RejectReason.OTHER).setDetail("decoy").setVersions(List.of()).build();
            producer.send(new ProducerRecord<>(topics.results(), elsewhere, id, decoy)).get();
            Thread.sleep(500);
        }
        producer.send(new ProducerRecord<>(topics.results(), reply, id, outcome));
    }

    private Outcome decide(Request request, ConsumerRecord<String, Object> record) {
        Outcome.Builder outcome = Outcome.newBuilder()
                .setRequestId(request.getRequestId())
                .setTimestampMs(System.currentTimeMillis());
        if (request.getOps().get(0).getKey().startsWith("reject:")) {
            return outcome.setStatus(OutcomeStatus.REJECTED).setReason(RejectReason.VERSION_MISMATCH)
                    .setFailedOp(0).setDetail("expected 2, found 3").setVersions(List.of()).build();
        }
        if (request.getOps().get(0).getKey().startsWith("abort:")) {
            int last = request.getOps().size() - 1;
            return outcome.setStatus(OutcomeStatus.ABORTED).setTransactionId(request.getRequestId())
                    .setReason(RejectReason.LOCK_CONFLICT).setFailedOp(last)
                    .setDetail(request.getOps().get(last).getKey() + " is locked by another transaction")
                    .setVersions(List.of()).build();
        }
        if (request.getOps().size() > 1) {
            outcome.setTransactionId(request.getRequestId());
        }
        List<KeyVersion> written = new ArrayList<>();
        for (Operation op : request.getOps()) {
            if (op.getAction() instanceof Check) {
                continue;
            }
            long version = versions.merge(op.getKey(), 1L, Long::sum);
            written.add(KeyVersion.newBuilder().setKey(op.getKey()).setVersion(version)
                    .setPartition(record.partition()).setOffset(record.offset()).build());
        }
        return outcome.setStatus(OutcomeStatus.COMMITTED).setVersions(written).build();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
        registry.close();
    }
}
