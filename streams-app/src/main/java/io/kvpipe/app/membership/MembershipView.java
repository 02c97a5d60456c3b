package io.kvpipe.app.membership;

import io.kvpipe.app.heartbeat.TaskProgress;
import io.kvpipe.avro.Heartbeat;
import io.kvpipe.avro.PartitionProgress;
import io.kvpipe.schemas.registry.SchemaRegistryClient;
import io.kvpipe.schemas.serde.AvroDeserializer;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every instance's view of the cluster, folded from the heartbeats topic: instance id → endpoint,
 * last beat, last sequence, primaries and replicas, with a status (ALIVE / SUSPECTED / DEAD, see
 * {@link MembershipSettings}) judged against an injectable clock whenever it is asked.
 *
 * <p>{@link #start} reads the topic on a thread of its own: it assigns every partition (no consumer
 * group, nothing committed) and starts from the beginning, so a new instance learns the cluster at
 * once. A beat replayed from before the start (below the end offsets found at start) counts from its
 * record timestamp, not as fresh: an instance that died an hour ago shows DEAD, not ALIVE. A live
 * beat counts from its local receive time, so clock skew between machines does not matter. A beat
 * whose sequence is not above the last one seen from that instance is ignored (retries and replays
 * may deliver old beats late). An undecodable record is skipped, logged once.
 *
 * <p>{@link #detached} makes a view without a consumer, fed by {@link #observe} (tests, or beats from
 * elsewhere). All methods are thread-safe.
 */
public final class MembershipView implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MembershipView.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);

    private final MembershipSettings settings;
    private final LongSupplier clock;
    private final Map<String, Entry> entries = new HashMap<>();
    private final Consumer<String, byte[]> consumer;
    private final AvroDeserializer<Heartbeat> deserializer;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean caughtUp;
    private boolean undecodableLogged;

    private static final class Entry {
        String endpoint;
        long lastBeatMs;
        long sequence;
        List<TaskProgress> primaries;
        List<TaskProgress> replicas;
        final PhiAccrual phi;

        Entry(long expectedIntervalMs) {
            phi = new PhiAccrual(expectedIntervalMs);
        }
    }

    private MembershipView(MembershipSettings settings, LongSupplier clock, Consumer<String, byte[]> consumer,
            AvroDeserializer<Heartbeat> deserializer) {
        this.settings = settings;
        this.clock = clock;
        this.consumer = consumer;
        this.deserializer = deserializer;
        if (consumer == null) {
            this.thread = null;
            this.caughtUp = true;
        } else {
            this.thread = new Thread(this::run, "kvpipe-membership");
            this.thread.setDaemon(true);
        }
    }

    /**
     * Starts reading the heartbeats topic from the beginning on a thread of its own.
     *
     * @param clientConfig common Kafka client properties (at least {@code bootstrap.servers}); no
     *     group id is used
     * @param registry the schema registry client (the caller owns and closes it, after this)
     */
    public static MembershipView start(MembershipSettings settings, Map<String, Object> clientConfig,
            SchemaRegistryClient registry) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "kvpipe-membership-" + Long.toHexString(System.nanoTime()));
        KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        MembershipView view = new MembershipView(settings, System::currentTimeMillis, consumer,
                new AvroDeserializer<>(registry, Heartbeat.class));
        view.thread.start();
        return view;
    }

    /** A view reading with a given consumer (tests: a {@code MockConsumer}); starts its thread. */
    static MembershipView reading(MembershipSettings settings, LongSupplier clock, Consumer<String, byte[]> consumer,
            AvroDeserializer<Heartbeat> deserializer) {
        MembershipView view = new MembershipView(settings, clock, consumer, deserializer);
        view.thread.start();
        return view;
    }

    /** A view with no consumer, fed only by {@link #observe}, judging time by {@code clock} (epoch ms). */
    public static MembershipView detached(MembershipSettings settings, LongSupplier clock) {
        return new MembershipView(settings, clock, null, null);
    }

    /**
     * Folds one heartbeat in.
     *
     * @param beatTimeMs when the beat counts from (epoch ms): its local receive time, or its record
     *     timestamp for a beat replayed from before the start
     * @return false if it was ignored, its sequence not being above the last one seen
     */
    public synchronized boolean observe(Heartbeat beat, long beatTimeMs) {
        Entry entry = entries.get(beat.getInstanceId());
        if (entry != null && beat.getSequence() <= entry.sequence) {
            return false;
        }
        if (entry == null) {
            entry = new Entry(settings.interval().toMillis());
            entries.put(beat.getInstanceId(), entry);
        } else if (beatTimeMs > entry.lastBeatMs) {
            entry.phi.addInterval(beatTimeMs - entry.lastBeatMs);
        }
        entry.endpoint = beat.getQueryEndpoint();
        entry.lastBeatMs = Math.max(entry.lastBeatMs, beatTimeMs);
        entry.sequence = beat.getSequence();
        entry.primaries = progress(beat.getPrimaries());
        entry.replicas = progress(beat.getReplicas());
        return true;
    }

    /** Forgets an instance (a tombstone on the heartbeats topic). */
    public synchronized void forget(String instanceId) {
        entries.remove(instanceId);
    }

    /** Every instance heard from within {@code forgetAfter}, by id, judged now. */
    public synchronized Map<String, Member> members() {
        long now = clock.getAsLong();
        Map<String, Member> members = new TreeMap<>();
        entries.forEach((id, entry) -> {
            if (now - entry.lastBeatMs < settings.forgetAfter().toMillis()) {
                members.put(id, member(id, entry, now));
            }
        });
        return Collections.unmodifiableMap(members);
    }

    /** One instance judged now, if it was ever heard from. */
    public synchronized Optional<Member> member(String instanceId) {
        Entry entry = entries.get(instanceId);
        return entry == null ? Optional.empty() : Optional.of(member(instanceId, entry, clock.getAsLong()));
    }

    /** An instance's status now; {@link MemberStatus#UNKNOWN} if it was never heard from. */
    public MemberStatus status(String instanceId) {
        return member(instanceId).map(Member::status).orElse(MemberStatus.UNKNOWN);
    }

    /**
     * The instance that last beat with this query endpoint ({@code host:port}, as in
     * {@code application.server}), judged now: the newest if several ids used it (a restart under a
     * new id).
     */
    public synchronized Optional<Member> memberAt(String endpoint) {
        long now = clock.getAsLong();
        return entries.entrySet().stream()
                .filter(e -> endpoint.equals(e.getValue().endpoint))
                .max((a, b) -> Long.compare(a.getValue().lastBeatMs, b.getValue().lastBeatMs))
                .map(e -> member(e.getKey(), e.getValue(), now));
    }

    /** The status of the instance at this endpoint; {@link MemberStatus#UNKNOWN} if none beat with it. */
    public MemberStatus statusAt(String endpoint) {
        return memberAt(endpoint).map(Member::status).orElse(MemberStatus.UNKNOWN);
    }

    /** Whether the beats that were in the topic at start have all been read (always true when detached). */
    public boolean caughtUp() {
        return caughtUp;
    }

    public MembershipSettings settings() {
        return settings;
    }

    private Member member(String id, Entry entry, long now) {
        long since = Math.max(0, now - entry.lastBeatMs);
        return new Member(id, entry.endpoint, entry.lastBeatMs, entry.sequence, entry.primaries, entry.replicas,
                settings.statusAfter(since), since, entry.phi.phi(since));
    }

    private static List<TaskProgress> progress(List<PartitionProgress> progress) {
        return progress.stream()
                .map(p -> new TaskProgress(p.getPartition(), p.getOffset(), p.getLag()))
                .collect(Collectors.toUnmodifiableList());
    }

    private void run() {
        Map<TopicPartition, Long> startEnd = null;
        try {
            while (running) {
                try {
                    if (startEnd == null) {
                        startEnd = assignFromBeginning();
                        if (startEnd == null) {
                            return;
                        }
                    }
                    pollOnce(startEnd);
                } catch (WakeupException e) {
                    return;
                } catch (RuntimeException e) {
                    if (!running) {
                        return;
                    }
                    // A degraded broker must not freeze the view for good (every peer would turn
                    // DEAD and queries would stop forwarding): log, pause, and read on.
                    LOG.warn("Reading {} failed; the membership view retries in {} ms: {}", settings.topic(),
                            RETRY_PAUSE.toMillis(), e.toString());
                    if (!pause()) {
                        return;
                    }
                }
            }
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
        }
    }

    private void pollOnce(Map<TopicPartition, Long> startEnd) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
            Long end = startEnd.get(new TopicPartition(record.topic(), record.partition()));
            boolean replayed = end != null && record.offset() < end;
            fold(record, replayed ? record.timestamp() : clock.getAsLong());
        }
        if (!caughtUp) {
            caughtUp = startEnd.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
            if (caughtUp) {
                LOG.info("Membership view caught up with {}: {} instance(s) known", settings.topic(),
                        members().size());
            }
        }
    }

    private static boolean pause() {
        try {
            Thread.sleep(RETRY_PAUSE.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Assigns every partition of the topic from the beginning; returns their end offsets now, or null if closed. */
    private Map<TopicPartition, Long> assignFromBeginning() {
        List<PartitionInfo> partitions = List.of();
        boolean warned = false;
        while (running && partitions.isEmpty()) {
            try {
                List<PartitionInfo> found = consumer.partitionsFor(settings.topic(), Duration.ofSeconds(5));
                partitions = found == null ? List.of() : found;
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                partitions = List.of();
            }
            if (partitions.isEmpty() && !warned) {
                warned = true;
                LOG.warn("The heartbeats topic {} is not there yet; the membership view waits for it", settings.topic());
            }
        }
        if (!running) {
            return null;
        }
        List<TopicPartition> assigned = partitions.stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(assigned);
        consumer.seekToBeginning(assigned);
        return Map.copyOf(consumer.endOffsets(assigned));
    }

    private void fold(ConsumerRecord<String, byte[]> record, long beatTimeMs) {
        if (record.value() == null) {
            if (record.key() != null) {
                forget(record.key());
            }
            return;
        }
        Heartbeat beat;
        try {
            beat = deserializer.deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            if (!undecodableLogged) {
                undecodableLogged = true;
                LOG.warn("Skipping an undecodable heartbeat at {}-{}@{} (later ones are skipped silently): {}",
                        record.topic(), record.partition(), record.offset(), e.getMessage());
            }
            return;
        }
        observe(beat, beatTimeMs);
    }

    /** Stops reading (waiting for the reader thread); the folded state stays readable. */
    @Override
    public void close() {
        running = false;
        if (thread != null) {
            consumer.wakeup();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
