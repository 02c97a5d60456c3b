package io.kvpipe.app.topology;

import io.kvpipe.avro.Outcome;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The outcomes of applied requests by request id ({@link StoreNames#DEDUP}), so a retry gets the
 * first outcome for the dedup retention.
 *
 * <p>One RocksDB window store: the key is the request id, the window start is the outcome's
 * {@code timestampMs} (the processing time), the store's retention is the dedup retention. So
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

    private final WindowStore<String, Outcome> outcomes;
    private final long retentionMs;

    DedupLog(WindowStore<String, Outcome> outcomes, Duration retention) {
        this.outcomes = outcomes;
        this.retentionMs = retention.toMillis();
    }

    /**
     * The store, persistent and changelogged. Its retention is one millisecond over the dedup
     * retention: the store hides windows older than {@code newest - retention + 1}, and the lookup
     * keeps the boundary millisecond ({@code timestampMs == nowMs - retention}) itself.
     */
    static StoreBuilder<WindowStore<String, Outcome>> storeBuilder(Duration retention, Serde<Outcome> values) {
        return Stores.windowStoreBuilder(
                Stores.persistentWindowStore(StoreNames.DEDUP, retention.plusMillis(1), WINDOW, false),
                Serdes.String(), values);
    }

    /** The outcome of {@code requestId} remembered at {@code nowMs}, or null. */
    Outcome find(String requestId, long nowMs) {
        long from = Math.max(0L, nowMs - retentionMs);
        try (WindowStoreIterator<Outcome> newestFirst = outcomes.backwardFetch(requestId, from, Long.MAX_VALUE)) {
            return newestFirst.hasNext() ? newestFirst.next().value : null;
        }
    }

    /** Remembers {@code outcome} under its request id, from its {@code timestampMs} on. */
    void remember(Outcome outcome) {
        outcomes.put(outcome.getRequestId(), outcome, Math.max(0L, outcome.getTimestampMs()));
    }
}
