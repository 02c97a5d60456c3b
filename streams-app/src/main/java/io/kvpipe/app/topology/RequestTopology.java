package io.kvpipe.app.topology;

import io.kvpipe.avro.ChangeEvent;
import io.kvpipe.avro.DeadLetter;
import io.kvpipe.avro.Lock;
import io.kvpipe.avro.TransactionState;
import io.kvpipe.avro.VersionedValue;
import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import io.kvpipe.schemas.ProtocolValue;
import io.kvpipe.schemas.Topics;
import io.kvpipe.schemas.registry.SchemaRegistryClient;
import io.kvpipe.schemas.serde.AvroSerde;
import io.kvpipe.schemas.serde.AvroSerializer;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.state.Stores;

/**
 * The request-processing topology: each task owns one partition of the requests topic (and the
 * same partition of the co-partitioned protocol topic) and the keys that hash to it, and applies
 * that partition's requests one at a time, each atomically; transactions over keys of several
 * partitions commit by two-phase commit between the tasks ({@link Coordinator}, {@link Participant}).
 *
 * <h2>Per request record</h2>
 * A record holds one {@code Request} or a {@code RequestBatch} of them ({@code RequestsValue}). A
 * batch's requests go through steps 2 to 6 one after the other, in order, each as if it were a
 * record of its own at the batch's offset: its own validation, dedup, outcome and change events,
 * independent of the others' success or failure. A dead letter for one of them carries the whole
 * record's bytes and says which request it was ({@code request i of a batch of n (request id
 * ...): }); its outcome's detail is the request's own. An empty batch is dead-lettered
 * {@code MALFORMED_REQUEST} (there is no one to answer); a batch of more than
 * {@code Limits.MAX_BATCH_REQUESTS} is dead-lettered once and each of its requests rejected
 * {@code INVALID_REQUEST}. The whole record is one processing step: under exactly-once all its
 * effects commit together.
 * <ol>
 *   <li><b>Decode</b> the raw key (UTF-8 routing key) and value ({@code Request} or
 *       {@code RequestBatch}, Confluent Avro). Undecodable bytes are dead-lettered
 *       {@code UNDECODABLE}, an unknown schema id {@code UNKNOWN_SCHEMA}. An unreachable schema
 *       registry is not bad input: it throws {@link SchemaRegistryUnavailableException}, which ends
 *       the stream thread; the record is processed again by the replacement thread (see "Wiring").</li>
 *   <li><b>Validate</b> (sizes, keys, actions, routing; see {@code RequestValidator}). Bad input
 *       becomes a {@code DeadLetter} (reason, detail, original bytes, source topic, partition and
 *       offset, instance id, time) and a {@code REJECTED / INVALID_REQUEST} outcome with the same
 *       detail.</li>
 *   <li><b>Deduplicate</b>: a request id whose outcome is remembered gets that first outcome again,
 *       sent to the reply partition of the retry, and nothing else happens; a repeat of a
 *       transaction still in flight waits for its outcome. A request marked {@code freshId} (its
 *       client made the id for it and wrote it once) is not searched for, unless it is a
 *       cross-partition transaction whose votes may have come first and aborted it
 *       ({@link UnbegunAborts}).</li>
 *   <li><b>Cross-partition transaction</b>: this task coordinates it by two-phase commit over the
 *       protocol topic ({@link Coordinator}); its outcome comes when it is decided.</li>
 *   <li><b>Decide and apply</b> all operations at once (one-phase: all keys are this partition's;
 *       a key locked by a prepared transaction is rejected {@code LOCK_CONFLICT}):
 *       semantics in {@code OnePhaseCommit}. A commit writes the {@link StoreNames#KV} store,
 *       publishes one {@code ChangeEvent} per changed key and a {@code COMMITTED} outcome whose
 *       versions carry the read-your-writes position (this partition, the request's offset). A
 *       failed condition writes nothing and gives a {@code REJECTED} outcome with the reason and
 *       the failing op's index.</li>
 *   <li><b>Remember</b> the outcome (committed or rejected by a condition) in {@link StoreNames#DEDUP}
 *       for the dedup retention. Outcomes of invalid requests are not remembered: a retry is judged
 *       the same way again.</li>
 * </ol>
 * Every record, and a wall-clock punctuation every 100 ms, ticks the {@code ProcessingLiveness}
 * ({@link TaskProcessor}).
 * The dedup store is a window store whose retention is the dedup retention: an outcome is
 * remembered with one store write (one changelog record), and outcomes older than the retention
 * are forgotten exactly at lookup and dropped by whole time segments, with no tombstones and no
 * purge (see {@code DedupLog}).
 *
 * <h2>Outputs</h2>
 * Keys are UTF-8 strings, values Avro in the Confluent wire format (subject {@code <topic>-value}).
 * <ul>
 *   <li>changes: key = data key, partitioned by {@link ConsistentHashPartitioner}.</li>
 *   <li>results: an {@code Outcome} keyed by its request id, or an {@code OutcomeBatch} (the
 *       outcomes one step decided for one client, for requests that asked with
 *       {@code batchedOutcomes}) keyed by the client id; partition = the request's
 *       {@code replyTo.partition}; when the request has no {@code replyTo}, or names a partition the
 *       results topic does not have, the partition of the record key by
 *       {@link ConsistentHashPartitioner} (nothing is dead-lettered for a bad reply partition).
 *       Rejections of invalid requests are sent the same way, so also where {@code replyTo} is
 *       null.</li>
 *   <li>dead letters: key = the original record key when it is UTF-8 text, otherwise
 *       {@code <topic>-<partition>@<offset>} of the source record (also for a key over
 *       {@code Limits.MAX_KEY_BYTES}); partitioned by {@link ConsistentHashPartitioner}. The original
 *       bytes are kept whole up to 512 KiB of value and 16 KiB of key, and cut beyond (the detail
 *       says so), so a dead letter always fits the default 1 MiB record limit. Undecodable input
 *       yields no outcome (no reply address).</li>
 * </ul>
 * Output records carry the request record's timestamp and no headers.
 *
 * <h2>Wiring</h2>
 * <ul>
 *   <li>{@code processing.guarantee=exactly_once_v2} is required: the store writes, the outputs and
 *       the input offset of one request commit together; at-least-once could apply a request and
 *       lose its outcome, or remember an outcome that was never applied.</li>
 *   <li>Keep Kafka Streams' default {@code processing.exception.handler} (log and fail) and
 *       {@code production.exception.handler} (fail): a "continue" handler would drop a request or
 *       one of its outputs half way, and the transaction would still commit. Bad input never reaches
 *       them; only infrastructure failures (registry unreachable, stores, Kafka) do.</li>
 *   <li>Set a {@code StreamsUncaughtExceptionHandler} that answers {@code REPLACE_THREAD}, so an
 *       unreachable registry costs a thread restart and a retry, not the instance.</li>
 *   <li>The source reads raw bytes with its own deserializers and timestamp extractor; default serdes
 *       and the deserialization handler are not used. A new application starts at the earliest
 *       offset.</li>
 *   <li>Store values are Avro too: the kv store's schema is registered under
 *       {@code <application.id>-kv-changelog-value}, so the registry must accept registrations (the
 *       serializer's default); the dedup store holds each outcome as a results-topic value of
 *       its own (the union's {@code Outcome} branch, under the results topic's schema id), whether
 *       it was first sent alone or in a batch.</li>
 * </ul>
 */
public final class RequestTopology {

    static final String SOURCE = "requests";
    static final String PROCESSOR = "task-processor";
    static final String CHANGES_SINK = "changes";
    static final String RESULTS_SINK = "results";
    static final String DEAD_LETTERS_SINK = "dead-letters";
    static final String PROTOCOL_SOURCE = "txn-protocol";
    static final String PROTOCOL_SINK = "txn-protocol-out";

    private RequestTopology() {}

    /** The topology for {@code settings}; see the class comment for what it promises and needs. */
    public static Topology build(TopologySettings settings) {
        return build(settings, SinkPartitioners.AS_IS);
    }

    static Topology build(TopologySettings settings, SinkPartitioners sinkPartitioners) {
        Topics topics = settings.topics();
        SchemaRegistryClient registry = settings.registry();
        Topology topology = new Topology();

        topology.addSource(AutoOffsetReset.earliest(), SOURCE, new RequestTimestamps(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer(), topics.requests());
        topology.addSource(AutoOffsetReset.earliest(), PROTOCOL_SOURCE, new RequestTimestamps(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer(), topics.txnProtocol());
        // One processor reads both: a request and a protocol message of one partition see and
        // change the same state (which is what makes the task one participant).
        topology.addProcessor(PROCESSOR, () -> new TaskProcessor(settings), SOURCE, PROTOCOL_SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(StoreNames.KV),
                Serdes.String(), AvroSerde.forValues(VersionedValue.class, registry))
                .withLoggingEnabled(PersistentChangelog.KV), PROCESSOR);
        topology.addStateStore(DedupLog.storeBuilder(settings.dedupRetention()), PROCESSOR);
        // Locks and undecided transactions are small (what is in flight) and touched several times
        // per transaction: in memory, changelogged like the rest, instead of RocksDB, whose memtable
        // search was a third of the stream thread's time under a transaction load.
        topology.addStateStore(Stores.keyValueStoreBuilder(InFlightBytesStore.supplier(StoreNames.LOCKS),
                Serdes.String(), AvroSerde.forValues(Lock.class, registry))
                .withLoggingEnabled(InFlightChangelog.CONFIG), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(InFlightBytesStore.supplier(StoreNames.TXNS),
                Serdes.String(), AvroSerde.forValues(TransactionState.class, registry))
                .withLoggingEnabled(InFlightChangelog.CONFIG), PROCESSOR);
        topology.addStateStore(DedupLog.storeBuilder(StoreNames.DECISIONS, settings.decisionMemory()), PROCESSOR);
        topology.addStateStore(DedupLog.storeBuilder(StoreNames.UNBEGUN, settings.dedupRetention()), PROCESSOR);

        ConsistentHashPartitioner byKey = new ConsistentHashPartitioner();
        topology.addSink(CHANGES_SINK, topics.changes(), new StringSerializer(),
                new AvroSerializer<ChangeEvent>(registry, false), sinkPartitioners.wrap(CHANGES_SINK, byKey), PROCESSOR);
        topology.addSink(RESULTS_SINK, topics.results(), new StringSerializer(),
                new Reply.Wire(), sinkPartitioners.wrap(RESULTS_SINK, new Reply.Router()), PROCESSOR);
        topology.addSink(DEAD_LETTERS_SINK, topics.deadLetters(), new StringSerializer(),
                new AvroSerializer<DeadLetter>(registry, false), sinkPartitioners.wrap(DEAD_LETTERS_SINK, byKey),
                PROCESSOR);
        topology.addSink(PROTOCOL_SINK, topics.txnProtocol(), new StringSerializer(),
                new AvroSerializer<SpecificRecord>(registry, false, ProtocolValue.SCHEMA),
                sinkPartitioners.wrap(PROTOCOL_SINK, new ProtocolRouter()), PROCESSOR);
        return topology;
    }

    /**
     * Sends a protocol message, or a batch of them (all for one partition), to its target partition
     * (co-partitioned with the requests topic).
     */
    static final class ProtocolRouter implements StreamPartitioner<String, SpecificRecord> {

        @Override
        public Optional<Set<Integer>> partitions(String topic, String transactionId, SpecificRecord value,
                                                 int numPartitions) {
            int target = ProtocolValue.messages(value).get(0).getTargetPartition();
            if (target < 0 || target >= numPartitions) {
                throw new IllegalStateException("protocol message for transaction " + transactionId
                        + " addressed to partition " + target + " of a " + numPartitions
                        + "-partition topic: the protocol topic must have as many partitions as the requests topic");
            }
            return Optional.of(Set.of(target));
        }
    }

    /**
     * The record's own timestamp; a record without a valid one (negative) takes the partition's
     * stream time, or the wall clock before the first, instead of failing the thread as Kafka's
     * default extractor would.
     */
    static final class RequestTimestamps implements TimestampExtractor {
        @Override
        public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
            long timestamp = record.timestamp();
            if (timestamp >= 0) {
                return timestamp;
            }
            return partitionTime >= 0 ? partitionTime : System.currentTimeMillis();
        }
    }
}
