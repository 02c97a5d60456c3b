package io.kvpipe.app.topology;

import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The outcomes of applied requests by request id ({@link StoreNames#DEDUP}), so a retry gets the
 * first outcome for the dedup retention.
 *
 * <p>One RocksDB window store: the key is the request id, the value the outcome exactly as it was
 * written to the results topic (Confluent wire format, the results topic's schema id), so that a
 * retry is answered with the same bytes and nothing is encoded twice; the window start is the
 * outcome's {@code timestampMs} (the processing time); the store's retention is the dedup retention. So
 * remembering an outcome is one store write and one changelog record, and forgetting costs
 * nothing: Kafka Streams drops whole time segments once they are older than the retention (the
 * store's time is the newest outcome time it has seen), and the changelog topic is
 * {@code compact,delete} with a time retention, so it drops them too. No tombstones, no time
 * index, no purge.
 *
 * <p>Lookups are exact to the millisecond, whatever the segments still hold: an outcome is
 * remembered at {@code nowMs} if and only if {@code timestampMs >= nowMs - retention}, the wall
 * clock of the lookup deciding (so an idle partition forgets on time too). A request id remembered
 * again after it was forgotten is found with its newer outcome.
 */
final class DedupLog {

    /**
     * Window size of the store. Only the window start (the outcome time) is used; the size must be
     * positive and at most the retention.
     */
    private static final Duration WINDOW = Duration.ofMillis(1);

    private final WindowStore<String, byte[]> outcomes;
    private final long retentionMs;

    DedupLog(WindowStore<String, byte[]> outcomes, Duration retention) {
        this.outcomes = outcomes;
        this.retentionMs = retention.toMillis();
    }

    /**
     * The store, persistent and changelogged. Its retention is one millisecond over the dedup
     * retention: the store hides windows older than {@code newest - retention + 1}, and the lookup
     * keeps the boundary millisecond ({@code timestampMs == nowMs - retention}) itself.
     */
    static StoreBuilder<WindowStore<String, byte[]>> storeBuilder(Duration retention) {
        return storeBuilder(StoreNames.DEDUP, retention);
    }

    /** A store of this shape under another name (the participants' memory of decisions that overtook their prepare). */
    static StoreBuilder<WindowStore<String, byte[]>> storeBuilder(String name, Duration retention) {
        return Stores.windowStoreBuilder(
                Stores.persistentWindowStore(name, retention.plusMillis(1), WINDOW, false),
                Serdes.String(), Serdes.ByteArray())
                .withLoggingEnabled(PersistentChangelog.WINDOWED);
    }

    /**
     * The encoded outcome of {@code requestId} remembered at {@code nowMs}, or null.
     *
     * <p>A forward fetch, keeping the last (newest) entry: almost every lookup is for a new id and
     * finds nothing, and RocksDB's forward seek is much cheaper than the backward one
     * ({@code SeekForPrev}, then {@code Prev} over the memtable and every file), which was an
     * eighth of the stream thread under single-key writes. An id has one entry, or two after it
     * was remembered again.
     */
    byte[] find(String requestId, long nowMs) {
        return newestSince(requestId, nowMs - retentionMs);
    }

    /** The newest value of {@code key} remembered at {@code fromMs} or later, or null (see {@link #find}). */
    byte[] newestSince(String key, long fromMs) {
        try (WindowStoreIterator<byte[]> oldestFirst = since(key, fromMs)) {
            byte[] newest = null;
            while (oldestFirst.hasNext()) {
                newest = oldestFirst.next().value;
            }
            return newest;
        }
    }

    /**
     * The key of the entry {@link #keepASegment} writes: no request has an empty id (requests
     * without one are rejected), so no request looks it up. ({@link UnbegunAborts} keeps a marker
     * of its own under it, in its own store.)
     */
    static final String SEGMENT_KEEPER = "";

    /**
     * The value of the entries {@link #keepASegment} writes. Versions before {@link UnbegunAborts}
     * wrote an empty one, so an empty entry within the retention says such a version started the
     * task since ({@link #keptByAnEarlierVersion}).
     */
    private static final byte[] KEEPER = {1};

    /**
     * Writes an entry under {@link #SEGMENT_KEEPER} at {@code nowMs}, so the store has a live
     * time segment. Why: under Kafka Streams 4.3.1 a window store records its changelog offset
     * in its segments (KIP-1035), so a store with none (a partition that remembered nothing since
     * the task started) closes without an offset, and at the next start exactly-once takes the
     * whole task for corrupted and rebuilds it from its changelogs, even after a clean stop.
     */
    void keepASegment(long nowMs) {
        long at = Math.max(0L, nowMs);
        byte[] there = outcomes.fetch(SEGMENT_KEEPER, at);
        if (there != null && there.length == 0) {
            at++; // never replace an earlier version's keeper, written in the same millisecond
        }
        outcomes.put(SEGMENT_KEEPER, KEEPER, at);
    }

    /**
     * Whether a version that kept no {@link UnbegunAborts} started the task within the retention
     * of {@code nowMs}: an empty {@link #SEGMENT_KEEPER} entry is there (every version since the
     * keeper was added writes one at each start).
     */
    boolean keptByAnEarlierVersion(long nowMs) {
        try (WindowStoreIterator<byte[]> keepers = since(SEGMENT_KEEPER, nowMs - retentionMs)) {
            while (keepers.hasNext()) {
                if (keepers.next().value.length == 0) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * The entries of {@code key} from {@code fromMs} on, oldest first. The upper bound is not
     * {@code Long.MAX_VALUE}: RocksDB's window store scans the byte range from the key and the
     * lower time to the key and the upper one, filtering by key, and for the empty key with a
     * time whose first byte is not 0 that range holds nearly every id of the store.
     */
    WindowStoreIterator<byte[]> since(String key, long fromMs) {
        return outcomes.fetch(key, Math.max(0L, fromMs), LATEST_MS);
    }

    /** Later than any wall-clock time (the year 1,000,000 or so), and a first key byte of 0. */
    private static final long LATEST_MS = 1L << 55;

    /**
     * Whether the store holds no outcome at all (its {@link #SEGMENT_KEEPER} entries aside), however
     * old: true only for a store that never remembered one, or whose every entry is dropped.
     */
    boolean holdsNothing() {
        try (KeyValueIterator<Windowed<String>, byte[]> all = outcomes.all()) {
            while (all.hasNext()) {
                if (!all.next().key.key().equals(SEGMENT_KEEPER)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Remembers the encoded outcome of {@code requestId}, from {@code timestampMs} on. */
    void remember(String requestId, long timestampMs, byte[] encodedOutcome) {
        outcomes.put(requestId, encodedOutcome, Math.max(0L, timestampMs));
    }
}
