package io.kvpipe.app.topology;

import io.kvpipe.avro.Outcome;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The outcomes of applied requests by request id ({@link StoreNames#DEDUP}), so a retry gets the
 * first outcome, and a time index over them ({@link #EXPIRY_STORE}) so that forgetting expired
 * outcomes costs only the entries forgotten.
 *
 * <p>The index key is the outcome's {@code timestampMs} as 8 big-endian bytes followed by the
 * request id's UTF-8 bytes; the value is empty. Keys sort bytewise (RocksDB's and Kafka's
 * {@code Bytes} order), which for non-negative times is time order, so the expired entries are a
 * prefix of the index, found by one range scan. A purge removes at most {@code max} entries per
 * call; the rest wait for the next call.
 */
final class DedupLog {

    /** The time index: {@code KeyValueStore<Bytes, byte[]>}, changelogged like the others. */
    static final String EXPIRY_STORE = "dedup-expiry";

    private static final byte[] NOTHING = new byte[0];

    private final KeyValueStore<String, Outcome> outcomes;
    private final KeyValueStore<Bytes, byte[]> expiry;
    /** No index entry is older than this (a hint that keeps scans off deleted entries). */
    private long oldestPossibleMs = 0L;

    DedupLog(KeyValueStore<String, Outcome> outcomes, KeyValueStore<Bytes, byte[]> expiry) {
        this.outcomes = outcomes;
        this.expiry = expiry;
    }

    /** The first outcome of {@code requestId}, or null if none is remembered. */
    Outcome find(String requestId) {
        return outcomes.get(requestId);
    }

    /** Remembers {@code outcome} under its request id, to be forgotten by its {@code timestampMs}. */
    void remember(Outcome outcome) {
        long atMs = Math.max(0L, outcome.getTimestampMs());
        outcomes.put(outcome.getRequestId(), outcome);
        expiry.put(indexKey(atMs, outcome.getRequestId()), NOTHING);
        oldestPossibleMs = Math.min(oldestPossibleMs, atMs);
    }

    /**
     * Forgets up to {@code max} outcomes remembered before {@code cutoffMs} (strictly), oldest first.
     *
     * @return how many index entries were removed
     */
    int forgetBefore(long cutoffMs, int max) {
        if (cutoffMs <= oldestPossibleMs || max <= 0) {
            return 0;
        }
        List<Bytes> expired = new ArrayList<>(Math.min(max, 1024));
        // range() is inclusive; the bare 8-byte prefix of cutoffMs sorts before every key of that
        // millisecond (request ids are never empty), so this is exactly the keys before cutoffMs.
        try (KeyValueIterator<Bytes, byte[]> entries =
                     expiry.range(Bytes.wrap(timePrefix(oldestPossibleMs)), Bytes.wrap(timePrefix(cutoffMs)))) {
            while (expired.size() < max && entries.hasNext()) {
                expired.add(entries.next().key);
            }
        }
        long lastMs = oldestPossibleMs;
        for (Bytes key : expired) {
            ByteBuffer buffer = ByteBuffer.wrap(key.get());
            lastMs = buffer.getLong();
            String requestId = StandardCharsets.UTF_8.decode(buffer).toString();
            Outcome outcome = outcomes.get(requestId);
            if (outcome != null && Math.max(0L, outcome.getTimestampMs()) == lastMs) {
                outcomes.delete(requestId);
            }
            expiry.delete(key);
        }
        oldestPossibleMs = expired.size() < max ? cutoffMs : lastMs;
        return expired.size();
    }

    static Bytes indexKey(long atMs, String requestId) {
        byte[] id = requestId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES + id.length).putLong(atMs).put(id).array());
    }

    private static byte[] timePrefix(long atMs) {
        return ByteBuffer.allocate(Long.BYTES).putLong(atMs).array();
    }
}
