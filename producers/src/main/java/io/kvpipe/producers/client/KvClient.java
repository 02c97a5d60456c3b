package io.kvpipe.producers.client;

import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.OutcomeBatch;
import io.kvpipe.avro.ReplyTo;
import io.kvpipe.avro.Request;
import io.kvpipe.producers.client.internals.KafkaSettings;
import io.kvpipe.producers.client.internals.PendingRequests;
import io.kvpipe.producers.client.internals.PendingRequests.Attempt;
import io.kvpipe.producers.client.internals.PendingRequests.Pending;
import io.kvpipe.producers.client.internals.ReplyListener;
import io.kvpipe.producers.client.internals.TopicLookup;
import io.kvpipe.producers.client.internals.RequestIds;
import io.kvpipe.producers.client.internals.Requests;
import io.kvpipe.producers.client.internals.Validation;
import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import io.kvpipe.schemas.ResultsValue;
import io.kvpipe.schemas.Topics;
import io.kvpipe.schemas.registry.RestSchemaRegistryClient;
import io.kvpipe.schemas.registry.SchemaRegistryClient;
import io.kvpipe.schemas.serde.AvroDeserializer;
import io.kvpipe.schemas.serde.AvroSerializer;
import io.kvpipe.schemas.serde.BatchValueWriter;
import io.kvpipe.schemas.serde.SubjectNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kvpipe client: writes to the replicated key-value state, each call answered by a future of
 * its {@link WriteResult}. Thread-safe; one client per application is usually enough (requests
 * from all threads share the producer's batches).
 *
 * <pre>{@code
 * try (KvClient client = KvClient.create(KvClientConfig.builder()
 *         .bootstrapServers("localhost:9092").schemaRegistryUrl("http://localhost:8081").build())) {
 *     WriteResult r = client.put("user:42", "Ada").get();
 *     if (r.isCommitted()) { ... r.written("user:42").get().version() ... }
 *     client.add("account:7", -50, 0).thenAccept(debit -> ...);   // rejected with BELOW_FLOOR if short
 * }
 * }</pre>
 *
 * <h2>Results</h2>
 * A rejection ({@link WriteResult#reason()}) is a normal result. A future fails only when the
 * outcome is unknown: {@link RequestTimeoutException} (no outcome within the request timeout),
 * {@link ClientClosedException}, {@link RequestSendException} (Kafka did not take the request),
 * or a {@link KvClientException} (an outcome sent alone could not be decoded; the requests of an
 * outcome batch that cannot be decoded time out, and the batch's position is logged at ERROR).
 * Bad arguments (limits of the wire contract) throw {@link IllegalArgumentException} at once.
 *
 * <p>The calls return at once, except that they block while the client's send queue is full (32 MiB
 * of encoded requests waiting for the sender, for example while the brokers are unreachable): for at
 * most {@code max.block.ms}, by default half the request timeout, after which the request fails with
 * a {@link RequestSendException}. (The sender thread itself waits in {@code KafkaProducer.send} for
 * the topic's metadata or buffer space, as long, before it fails the requests it holds.)
 *
 * <h2>Retries</h2>
 * Every request carries a unique id, and the pipeline applies an id at most once, answering a
 * repeat with the first outcome. After a timeout or a send failure the request may or may not have
 * been applied: send it again with the same id, {@link #submit(String, List)} with the failure's
 * {@code requestId()} and the same ops, to apply it at most once and learn its outcome. Resend the
 * same ops: deduplication lives with the partition that owns the routing key, so an id resent with
 * ops routed to another partition is a new request there. To retry safely after the application
 * itself restarts, take an id from {@link #newRequestId()} and store it before the first send.
 *
 * <p>A request under an id this client made for it ({@link #put}, {@link #submit(List)},
 * {@link #transaction(List)}...) is marked {@code freshId}: the pipeline skips its search for an
 * earlier outcome, since no earlier record can carry the id (the producer is idempotent, so Kafka
 * writes each record once). A request under an id the caller passes is not marked, and is searched for.
 *
 * <h2>How it works</h2>
 * Requests go to the requests topic, to the partition of their routing key (the first op's key) by
 * the {@link ConsistentHashPartitioner}, through one idempotent {@code acks=all} producer; a
 * transaction over keys of several partitions also goes, as a copy, to the partition of each of its
 * other keys, so that those participants prepare and vote without waiting for the coordinator. A
 * sender thread writes them; requests of one partition that queued while it was busy share one
 * record, a {@code RequestBatch} (up to {@link KvClientConfig#maxBatchRequests()}), and a request
 * alone is a record of its own, keyed by its routing key (a copy: by one of its keys on that
 * partition). Nothing waits to fill a batch. A batch is only transport: each request in it is
 * deduplicated, applied or rejected, and answered on its own. Each carries a reply address: this
 * client's id and its reply partition of the results topic. The pipeline writes each outcome to
 * exactly that partition, keyed by its request id; with {@link KvClientConfig.Builder#batchedOutcomes}
 * the outcomes one processing step decided for this client come as one {@code OutcomeBatch} keyed
 * by the client id (see {@code ResultsValue}). A single
 * thread reads only that partition ({@code assign}, no consumer group, {@code read_committed}) and
 * completes the pending futures by request id; records for other clients that share the
 * partition are skipped by their key, without being decoded.
 *
 * <p>At start the client seeks its reply partition to the end before it sends anything. That
 * skips nothing it needs: the outcome of a request is written after the request is read, so after
 * it was sent, so after that end position. (A retry of an old request id is answered with a new
 * copy of the first outcome, so it too comes after the position.)
 */
public final class KvClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KvClient.class);

    /** At most this much encoded request data waits for the sender thread; callers block beyond it. */
    static final long MAX_QUEUED_BYTES = 32L * 1024 * 1024;

    /**
     * The longest timeout a {@link #transaction(String, List, Duration) transaction} may ask for. A
     * transaction holds locks on its keys until it is decided, so a long one blocks other writers of
     * those keys (they abort with {@link RejectReason#LOCK_CONFLICT}) for that long.
     */
    public static final Duration MAX_TRANSACTION_TIMEOUT = Duration.ofSeconds(60);

    /**
     * How much longer than a transaction's own timeout the client waits for its outcome, at least:
     * the pipeline's abort has to be decided, written and read back.
     */
    public static final Duration ABORT_MARGIN = Duration.ofSeconds(5);

    private static final TopicLookup TOPIC_LOOKUP = TopicLookup.system();

    private final String clientId;
    private final Topics topics;
    private final int replyPartition;
    private final int requestPartitions;
    private final ReplyTo replyTo;
    private final Duration closeTimeout;
    private final Duration requestTimeout;
    private final Producer<String, byte[]> producer;
    private final BatchValueWriter<Request> writer;
    private final boolean batchedOutcomes;
    /** Reads results-topic values: an {@code Outcome} or an {@code OutcomeBatch}. */
    private final Deserializer<Object> outcomes;
    private final PendingRequests pending;
    private final RequestBatcher batcher;
    private final ReplyListener listener;
    private final RequestIds ids = new RequestIds();
    private final AutoCloseable owned;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Connects: looks up the pipeline's topics and the reply partition, positions the reply
     * partition at its end, and checks the schema registry, each bounded by the request timeout.
     *
     * @throws IllegalArgumentException if the bootstrap servers or the registry are not configured,
     *     or a Kafka property is invalid
     * @throws KvClientException if Kafka or the registry does not answer in time, or a topic (or the
     *     configured reply partition) does not exist
     */
    public static KvClient create(KvClientConfig config) {
        String bootstrap = KafkaSettings.bootstrapServers(config);
        Map<String, Object> registryConfig = KafkaSettings.registry(config);
        SchemaRegistryClient registry = config.schemaRegistry().orElse(null);
        SchemaRegistryClient ownedRegistry = null;
        if (registry == null) {
            if (config.schemaRegistryUrl().isEmpty()) {
                throw new IllegalArgumentException("a schema registry URL (or client) is required");
            }
            registry = ownedRegistry = RestSchemaRegistryClient.fromConfig(registryConfig);
        }
        KafkaProducer<String, byte[]> producer = null;
        KafkaConsumer<byte[], byte[]> consumer = null;
        try {
            checkRegistry(writer(registry, registryConfig, config.topics()), config);
            if (config.batchedOutcomes()) {
                learnResultsSchema(registry, config.topics());
            }
            producer = new KafkaProducer<>(KafkaSettings.producer(config), new StringSerializer(),
                    new ByteArraySerializer());
            consumer = new KafkaConsumer<>(KafkaSettings.consumer(config), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
        } catch (RuntimeException e) {
            closeQuietly(producer);
            closeQuietly(consumer);
            closeQuietly(ownedRegistry);
            if (e instanceof KafkaException && !(e instanceof KvClientException)) {
                // KafkaProducer and KafkaConsumer refuse their configuration this way.
                throw new IllegalArgumentException("invalid Kafka client configuration: " + e.getMessage(), e);
            }
            throw e;
        }
        log.debug("connecting to {}", bootstrap);
        return new KvClient(config, producer, consumer, registry, registryConfig, ownedRegistry);
    }

    private static BatchValueWriter<Request> writer(SchemaRegistryClient registry, Map<String, Object> registryConfig,
            Topics topics) {
        Object auto = registryConfig.get(AvroSerializer.AUTO_REGISTER_SCHEMAS);
        return BatchValueWriter.forRequests(registry, topics.requests(), auto == null || Boolean.parseBoolean(auto.toString()));
    }

    /**
     * Learns the id of the results union now, for a client that asks for batched outcomes, so that
     * reading a batch later needs no registry call (a batch that cannot be read leaves its requests
     * to time out). Best effort: a
     * pipeline of an earlier release has not registered the union, and its plain outcomes are
     * read as they come.
     */
    private static void learnResultsSchema(SchemaRegistryClient registry, Topics topics) {
        try {
            registry.idOf(SubjectNames.of(topics.results(), false), ResultsValue.SCHEMA);
        } catch (RuntimeException e) {
            log.debug("the results union is not registered yet: {}", e.toString());
        }
    }

    /**
     * Fails fast on an unreachable or refusing registry: registers (or looks up) the schema of the
     * requests topic now, the union every request is written with (see {@code RequestsValue}).
     */
    private static void checkRegistry(BatchValueWriter<Request> writer, KvClientConfig config) {
        try {
            writer.resolveSchemaIds();
        } catch (KafkaException e) {
            throw new KvClientException("the schema registry did not take the schemas of "
                    + config.topics().requests() + ": " + e.getMessage(), e);
        }
    }

    /**
     * A client over the given producer and consumer (tests use Kafka's mocks). The producer takes
     * record values as written by {@link BatchValueWriter}; the consumer delivers raw bytes, decoded
     * with {@code registry}. {@code owned} is closed with the client.
     */
    static KvClient create(KvClientConfig config, Producer<String, byte[]> producer,
            Consumer<byte[], byte[]> consumer, SchemaRegistryClient registry, AutoCloseable owned) {
        return new KvClient(config, producer, consumer, registry, KafkaSettings.registry(config), owned);
    }

    private KvClient(KvClientConfig config, Producer<String, byte[]> producer, Consumer<byte[], byte[]> consumer,
            SchemaRegistryClient registry, Map<String, Object> registryConfig, AutoCloseable owned) {
        this.clientId = config.clientId();
        this.topics = config.topics();
        this.closeTimeout = config.closeTimeout();
        this.requestTimeout = config.requestTimeout();
        this.batchedOutcomes = config.batchedOutcomes();
        this.producer = producer;
        this.writer = writer(registry, registryConfig, topics);
        this.outcomes = new AvroDeserializer<>(registry, ResultsValue.SCHEMA);
        this.owned = owned;
        try {
            Connection connection = connect(config, producer, consumer);
            this.replyPartition = connection.replyPartition();
            this.requestPartitions = connection.requestPartitions();
        } catch (RuntimeException e) {
            closeQuietly(() -> consumer.close(CloseOptions.timeout(Duration.ZERO)));
            closeQuietly(() -> producer.close(Duration.ZERO));
            closeQuietly(owned);
            throw e;
        }
        this.replyTo = ReplyTo.newBuilder().setClientId(clientId).setPartition(replyPartition).build();
        this.pending = new PendingRequests(config.requestTimeout(), config.completionExecutor().orElse(null),
                "kvpipe-client-" + clientId + "-timeouts");
        this.batcher = new RequestBatcher(producer, topics.requests(), writer, pending, clientId,
                config.maxBatchRequests(), config.maxBatchBytes(), MAX_QUEUED_BYTES,
                Duration.ofMillis(KafkaSettings.effectiveMaxBlockMs(config)));
        this.listener = new ReplyListener(consumer, this::onReply, closeTimeout,
                "kvpipe-client-" + clientId + "-results");
        listener.start();
        log.debug("client {} reads its outcomes from {}-{}", clientId, topics.results(), replyPartition);
    }

    private record Connection(int replyPartition, int requestPartitions) {}

    /** Looks up the topics, picks the reply partition and positions the consumer at its end. */
    private Connection connect(KvClientConfig config, Producer<String, byte[]> producer, Consumer<byte[], byte[]> consumer) {
        Duration timeout = config.requestTimeout();
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            int results = partitionCount(consumer, topics.results(), deadline);
            int requests = partitionCount(consumer, topics.requests(), deadline);
            int partition = config.replyPartition()
                    .orElseGet(() -> ConsistentHashPartitioner.partitionFor(clientId, results));
            if (partition >= results) {
                throw new KvClientException("reply partition " + partition + " does not exist: " + topics.results()
                        + " has " + results + " partitions", null);
            }
            TopicPartition reply = new TopicPartition(topics.results(), partition);
            consumer.assign(List.of(reply));
            consumer.seekToEnd(List.of(reply));
            // Resolve the end position now, before the first request can be sent.
            long start = consumer.position(reply, remaining(deadline));
            log.debug("client {} starts reading {} at offset {}", clientId, reply, start);
            // The producer's metadata for the requests topic, so the first send does not wait for it.
            TOPIC_LOOKUP.partitionCount(topics.requests(), t -> producer.partitionsFor(topics.requests()),
                    appearWithin(deadline));
            return new Connection(partition, requests);
        } catch (TimeoutException e) {
            throw new KvClientException("Kafka did not answer within " + RequestTimeoutException.format(timeout)
                    + " (are the bootstrap servers right and reachable?): " + e.getMessage(), e);
        } catch (KvClientException e) {
            throw e;
        } catch (TopicLookup.MissingTopicException e) {
            throw new KvClientException(e.getMessage(), e);
        } catch (KafkaException e) {
            throw new KvClientException("could not connect to Kafka: " + e.getMessage(), e);
        }
    }

    private static int partitionCount(Consumer<byte[], byte[]> consumer, String topic, long deadline) {
        return TOPIC_LOOKUP.partitionCount(topic, t -> consumer.partitionsFor(topic, t), appearWithin(deadline));
    }

    /** How long a topic may take to appear in the metadata: {@link TopicLookup#APPEAR_WITHIN}, within the deadline. */
    private static Duration appearWithin(long deadlineNanos) {
        Duration remaining = remaining(deadlineNanos);
        return remaining.compareTo(TopicLookup.APPEAR_WITHIN) < 0 ? remaining : TopicLookup.APPEAR_WITHIN;
    }

    private static Duration remaining(long deadlineNanos) {
        return Duration.ofNanos(Math.max(1_000_000, deadlineNanos - System.nanoTime()));
    }

    /** Sets {@code key} to {@code value}. */
    public CompletableFuture<WriteResult> put(String key, String value) {
        return submit(List.of(Op.put(key, value)));
    }

    /** Removes {@code key} (committed even if it was absent). */
    public CompletableFuture<WriteResult> delete(String key) {
        return submit(List.of(Op.delete(key)));
    }

    /**
     * Sets {@code key} to {@code newValue} if its version is {@code expected} (or it is absent, for
     * {@link ExpectedVersion#absent()}); otherwise rejected with {@link RejectReason#VERSION_MISMATCH}.
     * A null {@code newValue} deletes the key when the version matches.
     */
    public CompletableFuture<WriteResult> compareAndSet(String key, ExpectedVersion expected, String newValue) {
        return submit(List.of(Op.compareAndSet(key, expected, newValue)));
    }

    /** {@link #compareAndSet(String, ExpectedVersion, String)} with {@code ExpectedVersion.of(expectedVersion)}. */
    public CompletableFuture<WriteResult> compareAndSet(String key, long expectedVersion, String newValue) {
        return submit(List.of(Op.compareAndSet(key, expectedVersion, newValue)));
    }

    /** Adds {@code delta} to the numeric value of {@code key} (absent counts as 0). */
    public CompletableFuture<WriteResult> add(String key, long delta) {
        return submit(List.of(Op.add(key, delta)));
    }

    /** Adds {@code delta} unless the result would fall below {@code floor} ({@link RejectReason#BELOW_FLOOR}). */
    public CompletableFuture<WriteResult> add(String key, long delta, long floor) {
        return submit(List.of(Op.add(key, delta, floor)));
    }

    /**
     * Sends one request of several ops under a new id; it commits as a whole or not at all, and is
     * routed by the first op's key.
     *
     * @throws IllegalArgumentException if there are no ops, more than {@code Limits.MAX_OPS}, a null,
     *     or a key named twice
     */
    public CompletableFuture<WriteResult> submit(List<? extends Op> ops) {
        return send(ids.next(), ops, null, true);
    }

    /**
     * Sends a request under the given id: a new id from {@link #newRequestId()}, or the id of an
     * earlier request to retry it (with the same ops). The pipeline applies an id at most once and
     * answers a repeat with the first outcome. A repeat while the first is still pending here is
     * sent again and shares its future.
     *
     * @throws IllegalArgumentException if the id is blank or longer than {@code Limits.MAX_KEY_BYTES}
     *     bytes, or the ops are invalid as for {@link #submit(List)}
     */
    public CompletableFuture<WriteResult> submit(String requestId, List<? extends Op> ops) {
        return send(requestId, ops, null, false);
    }

    /**
     * A transaction: the ops commit together, on whichever partitions their keys live, or none
     * does. See {@link #transaction(String, List, Duration)}.
     *
     * @throws IllegalArgumentException as {@link #transaction(String, List, Duration)}
     */
    public CompletableFuture<WriteResult> transaction(Op... ops) {
        if (ops == null) {
            throw new IllegalArgumentException("ops must not be null");
        }
        return transaction(Arrays.asList(ops));
    }

    /**
     * A transaction under a new id, with the pipeline's default timeout. See
     * {@link #transaction(String, List, Duration)}.
     *
     * @throws IllegalArgumentException as {@link #transaction(String, List, Duration)}
     */
    public CompletableFuture<WriteResult> transaction(List<? extends Op> ops) {
        return send(ids.next(), ops, null, true);
    }

    /**
     * A transaction under a new id that the pipeline aborts ({@link RejectReason#TIMEOUT}) unless
     * it commits within {@code timeout}. See {@link #transaction(String, List, Duration)}.
     *
     * @throws IllegalArgumentException as {@link #transaction(String, List, Duration)}
     */
    public CompletableFuture<WriteResult> transaction(List<? extends Op> ops, Duration timeout) {
        return send(ids.next(), ops, timeoutMs(timeout), true);
    }

    /**
     * Sends a transaction: up to {@code Limits.MAX_OPS} ops on distinct keys that commit together or
     * not at all, whichever partitions own the keys. It is routed by the first op's key, whose
     * partition coordinates it. Its result is:
     *
     * <ul>
     *   <li>{@link WriteResult.Status#COMMITTED}: every op applied; {@link WriteResult#version(String)}
     *       gives each key's version after it (unchanged for a check), and
     *       {@link WriteResult#transactionId()} the transaction's id when it spanned several keys.
     *   <li>{@link WriteResult.Status#ABORTED}: keys on several partitions, and it did not commit;
     *       nothing applied. {@link WriteResult#reason()} says why ({@code VERSION_MISMATCH},
     *       {@code BELOW_FLOOR} or {@code NOT_A_NUMBER} from an op's condition,
     *       {@link RejectReason#LOCK_CONFLICT} when another transaction in flight held one of the
     *       keys, {@link RejectReason#TIMEOUT}, {@code INVALID_REQUEST}), {@link WriteResult#failedOp()}
     *       the index of the op in {@code ops}, {@link WriteResult#detail()} the pipeline's words.
     *       An outcome is final under its id; a lock conflict or a timeout is transient, so the same
     *       ops under a new id may commit.
     *   <li>{@link WriteResult.Status#REJECTED}: keys all in one partition (it commits in one step)
     *       and a condition failed, a key was locked by a transaction in flight
     *       ({@link RejectReason#LOCK_CONFLICT}), or it was invalid.
     * </ul>
     *
     * <p>Retries: as for {@link #submit(String, List)}, resend the same ops under the same id (and
     * timeout) after the future failed with an unknown outcome; the pipeline applies it at most once.
     *
     * <p>The client waits for the outcome for its request timeout, or for {@code timeout} plus
     * {@link #ABORT_MARGIN} if that is longer: the pipeline answers by then even when it aborts.
     *
     * @param requestId a new id from {@link #newRequestId()}, or the id of the transaction to retry
     * @param timeout how long the transaction may take before the pipeline aborts it, 1 ms to
     *     {@link #MAX_TRANSACTION_TIMEOUT}; null for the pipeline's default
     * @throws IllegalArgumentException if the id is invalid (as for {@link #submit(String, List)}),
     *     there are no ops, more than {@code Limits.MAX_OPS}, a null, a key named twice, or the
     *     timeout is out of range
     */
    public CompletableFuture<WriteResult> transaction(String requestId, List<? extends Op> ops, Duration timeout) {
        return send(requestId, ops, timeoutMs(timeout), false);
    }

    private static Integer timeoutMs(Duration timeout) {
        return timeout == null ? null : Validation.transactionTimeout(timeout, MAX_TRANSACTION_TIMEOUT);
    }

    /**
     * @param freshId whether this client just made {@code requestId} for this one send (never for an
     *     id the caller passed: it may be a retry), so that the pipeline need not search for an
     *     earlier outcome of it
     */
    private CompletableFuture<WriteResult> send(String requestId, List<? extends Op> ops, Integer timeoutMs,
                                                boolean freshId) {
        Validation.requestId(requestId);
        Request request = Requests.build(requestId, replyTo, ops, System.currentTimeMillis(), timeoutMs);
        request.setFreshId(freshId);
        request.setBatchedOutcomes(batchedOutcomes);
        // A transaction goes to the partition of each of its keys: participants prepare on their
        // copies without waiting for the coordinator's PREPARE (one commit fewer before the outcome).
        List<String> copyKeys = ops.subList(1, ops.size()).stream().map(Op::key).toList();
        request.setSentToParticipants(!copyKeys.isEmpty());
        if (closed.get()) {
            return CompletableFuture.failedFuture(new ClientClosedException(clientId, requestId));
        }
        Attempt attempt = timeoutMs == null
                ? pending.register(requestId)
                : pending.register(requestId, wait(Duration.ofMillis(timeoutMs)));
        if (closed.get()) {
            // close() may have failed the pending requests before this one was registered.
            pending.fail(attempt.pending(), new ClientClosedException(clientId, requestId));
            return attempt.future();
        }
        byte[] body;
        try {
            body = writer.encode(request);
        } catch (RuntimeException e) {
            pending.failSend(attempt, new RequestSendException("could not send request " + requestId + ": " + e,
                    requestId, e));
            return attempt.future();
        }
        batcher.enqueue(new RequestBatcher.Queued(Requests.routingKey(ops), copyKeys, body, attempt));
        return attempt.future();
    }

    /** How long to wait for a transaction's outcome: until the pipeline must have answered. */
    private Duration wait(Duration transactionTimeout) {
        Duration atLeast = transactionTimeout.plus(ABORT_MARGIN);
        return atLeast.compareTo(requestTimeout) > 0 ? atLeast : requestTimeout;
    }

    /** A fresh request id, for an application that records it before sending (see Retries). */
    public String newRequestId() {
        return ids.next();
    }

    /** This client's id (the replyTo client id of its requests). */
    public String clientId() {
        return clientId;
    }

    /** The results-topic partition this client reads. */
    public int replyPartition() {
        return replyPartition;
    }

    /**
     * How many partitions the requests topic has: key {@code k} lives in partition
     * {@code ConsistentHashPartitioner.partitionFor(k, requestPartitions())}, so a transaction
     * whose keys all map to one partition commits in one step, without two-phase commit.
     */
    public int requestPartitions() {
        return requestPartitions;
    }

    /** The pipeline's topics. */
    public Topics topics() {
        return topics;
    }

    /** How many requests wait for their outcome. */
    public int pendingRequests() {
        return pending.size();
    }

    /**
     * How many requests and records this client has handed to Kafka so far: their ratio is the
     * average batch size.
     */
    public SendStats sendStats() {
        return new SendStats(batcher.requestsSent(), batcher.recordsSent());
    }

    /** Requests written, and the requests-topic records they took. */
    public record SendStats(long requests, long records) {}

    /** Requests queued for the sender and not yet handed to the producer (tests). */
    int unsentRequests() {
        return batcher.unsent();
    }

    /**
     * Handles one record of the reply partition (on the results thread): an outcome keyed by its
     * request id, or a batch of this client's outcomes keyed by its id.
     */
    private void onReply(ConsumerRecord<byte[], byte[]> record) {
        if (record.key() == null) {
            return;
        }
        String key = new String(record.key(), StandardCharsets.UTF_8);
        Pending keyed = pending.get(key);
        if (keyed == null && !key.equals(clientId)) {
            return; // another client's outcome, or one that arrives after its timeout
        }
        Object value;
        try {
            value = outcomes.deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            String where = record.topic() + "-" + record.partition() + "@" + record.offset();
            if (keyed != null) {
                pending.fail(keyed, new KvClientException("could not decode the outcome of request " + key + " at "
                        + where + ": " + e.getMessage(), key, e));
            } else {
                log.error("could not decode the outcome batch at {}: {}; its requests will time out", where,
                        e.toString());
            }
            return;
        }
        if (value instanceof Outcome outcome) {
            if (!key.equals(outcome.getRequestId())) {
                log.warn("skipping the record at {}-{}@{}: its key is {} but it holds the outcome of {}",
                        record.topic(), record.partition(), record.offset(), key, outcome.getRequestId());
                return;
            }
            if (keyed != null) { // else keyed by this client's id, but not a pending request's
                pending.complete(keyed, WriteResult.of(outcome));
            }
        } else if (value instanceof OutcomeBatch batch) {
            for (Outcome outcome : batch.getOutcomes()) {
                Pending p = pending.get(outcome.getRequestId());
                if (p != null) { // else timed out already
                    pending.complete(p, WriteResult.of(outcome));
                }
            }
        } else {
            log.warn("skipping the record at {}-{}@{}: not a results-topic value", record.topic(),
                    record.partition(), record.offset());
        }
    }

    /**
     * Closes the client: new requests fail at once, pending ones fail with a
     * {@link ClientClosedException}, then the consumer and the producer close, each within the
     * close timeout (requests still buffered by then are dropped). Idempotent; never hangs.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        pending.failAll(id -> new ClientClosedException(clientId, id));
        batcher.stop();
        listener.close();
        closeQuietly(() -> producer.close(closeTimeout));
        batcher.await(closeTimeout);
        pending.close();
        closeQuietly(outcomes);
        closeQuietly(owned);
        log.debug("client {} closed", clientId);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            log.warn("closing {}: {}", c, e.toString());
        }
    }
}
