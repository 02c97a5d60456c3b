package io.kvpipe.app.topology;

import io.kvpipe.avro.VersionedValue;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * How far a partition's {@link StoreNames#KV} store has applied the requests topic, kept in the
 * store itself: under the empty key (no data key is empty, see {@code RequestValidator}), a
 * {@code VersionedValue} whose {@code version} is the offset of the last requests record whose
 * step wrote to the store (value null, request id empty). A read-your-writes read of position
 * {@code P:O} waits until this reaches {@code O}; the task's one instance of this class keeps it.
 *
 * <p>Every step that wrote to the store puts the entry again after its writes, a protocol step too
 * (with the offset unchanged), so that the entry's last record follows every data record in the
 * changelog. Compaction keeps only each key's last record: were a decision's write of a key the
 * last record after the entry, compaction could drop that key's one-phase write behind the entry,
 * and a replica rebuilt from the changelog would, on reaching the entry, not hold that write yet.
 *
 * <p>Why not Kafka Streams' store positions (IQv2 {@code PositionBound}): a standby, or a store
 * rebuilt from its changelog, knows its position only if every changelog record carries it in a
 * header ({@code StreamsConfig.InternalConfig.IQ_CONSISTENCY_OFFSET_VECTOR_ENABLED}). Kafka Streams
 * 4.3.1 writes that header at 386 bytes for a task of two input topics (a 71-byte position, the
 * rest of its buffer zeros), more than the record's key and value together, on every record of
 * every changelog. With this entry instead, nine pairs of fresh apps on the embedded default (three
 * rounds, alternating) ran single-key writes 11 % faster on average (faster in 8 of the 9 pairs)
 * and 2-key transactions 8 % faster, the app JVM mostly using less CPU per bench. The entry costs
 * one small record per processing step that wrote, a batch of requests at a time, and it is ordered
 * with the writes: it follows them in the same changelog partition, so a replica that has it has them.
 */
public final class AppliedOffset {

    /** The key of the entry; no data key is empty. */
    public static final String KEY = "";

    private final KeyValueStore<String, VersionedValue> kv;
    /** The offset the entry names, -1 before the first. */
    private long offset;
    /** Whether the current step wrote to the store. */
    private boolean wrote;

    /** Over a task's restored kv store; reads the entry once. */
    AppliedOffset(KeyValueStore<String, VersionedValue> kv) {
        this.kv = kv;
        this.offset = of(kv.get(KEY));
    }

    /** Puts {@code value} under {@code key} in the store, for the current step. */
    void put(String key, VersionedValue value) {
        kv.put(key, value);
        wrote = true;
    }

    /**
     * Ends a step: if it wrote to the store, puts the entry after its writes, moved to
     * {@code requestsOffset} (the offset of the requests record the step processed, or -1 for a
     * protocol message or a punctuation, which leave it where it was).
     */
    void endStep(long requestsOffset, long nowMs) {
        if (!wrote) {
            return;
        }
        wrote = false;
        offset = Math.max(offset, requestsOffset);
        if (offset >= 0) {
            kv.put(KEY, entry(offset, nowMs));
        }
    }

    /** The entry for requests up to {@code offset}, written at {@code nowMs}. */
    public static VersionedValue entry(long offset, long nowMs) {
        return new VersionedValue(null, offset, "", null, nowMs);
    }

    /** The offset an entry read from the store names; -1 for none (the store applied no request yet). */
    public static long of(VersionedValue entry) {
        return entry == null ? -1L : entry.getVersion();
    }
}
