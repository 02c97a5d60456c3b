package io.kvpipe.app.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A fresh cross-partition request is looked for in the dedup store only when the index of aborts
 * on votes alone names it, or cannot vouch yet for what the dedup store holds.
 */
class UnbegunAbortsTest {

    private static final Duration RETENTION = Duration.ofHours(24);
    private static final long HOUR = UnbegunAborts.MAX_MARK_INTERVAL.toMillis();
    private static final long T0 = 1_700_000_000_000L;
    /** The first time at which every outcome remembered up to T0 is forgotten, and a margin passed. */
    private static final long ALL_FORGOTTEN = T0 + RETENTION.toMillis() + HOUR + 1;

    private WindowStore<String, byte[]> index;
    private WindowStore<String, byte[]> outcomes;
    private DedupLog dedup;

    @BeforeEach
    void openStores() {
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        index = windowStore("unbegun", context);
        outcomes = windowStore("dedup", context);
        dedup = new DedupLog(outcomes, RETENTION);
    }

    private static WindowStore<String, byte[]> windowStore(String name, MockProcessorContext<Object, Object> context) {
        return windowStore(name, context, RETENTION);
    }

    private static WindowStore<String, byte[]> windowStore(String name, MockProcessorContext<Object, Object> context,
                                                          Duration retention) {
        WindowStore<String, byte[]> store = Stores.windowStoreBuilder(Stores.inMemoryWindowStore(name,
                        retention.plusMillis(1), Duration.ofMillis(1), false), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled()
                .build();
        store.init(context.getStateStoreContext(), store);
        return store;
    }

    private UnbegunAborts startedAt(long nowMs) {
        return new UnbegunAborts(index, dedup, RETENTION, nowMs);
    }

    @Test
    void overAnEmptyDedupStoreOnlyTheAbortsRememberedHereAreLookedForForTheRetention() {
        dedup.keepASegment(T0 - 1); // a segment keeper is no outcome
        UnbegunAborts unbegun = startedAt(T0);
        assertThat(unbegun.mayHaveAborted("t1", T0)).isFalse();

        unbegun.remember("t1", T0);

        assertThat(unbegun.mayHaveAborted("t1", T0 + RETENTION.toMillis())).isTrue();
        assertThat(unbegun.mayHaveAborted("other", T0)).isFalse();
        assertThat(unbegun.mayHaveAborted("t1", T0 + RETENTION.toMillis() + 1)).as("as the dedup store forgets")
                .isFalse();
    }

    @Test
    void outcomesWithoutAMarkerMakeEveryFreshRequestSearchedUntilTheyAreAllForgotten() {
        dedup.remember("r1", T0 - 1_000, new byte[] {1});
        UnbegunAborts unbegun = startedAt(T0);

        assertThat(unbegun.mayHaveAborted("any", T0)).isTrue();
        assertThat(unbegun.mayHaveAborted("any", ALL_FORGOTTEN - 1)).isTrue();
        assertThat(unbegun.mayHaveAborted("any", ALL_FORGOTTEN)).isFalse();
    }

    @Test
    void anIncompleteIndexStaysIncompleteAcrossRestarts() {
        dedup.remember("r1", T0 - 1_000, new byte[] {1});
        startedAt(T0).keepMarker(T0);

        UnbegunAborts restarted = startedAt(T0 + HOUR);

        assertThat(restarted.mayHaveAborted("any", ALL_FORGOTTEN - 1)).as("from the first start's marker").isTrue();
        assertThat(restarted.mayHaveAborted("any", ALL_FORGOTTEN)).isFalse();
    }

    @Test
    void aCompleteIndexStaysCompleteAcrossRestartsThoughOutcomesCameSince() {
        UnbegunAborts first = startedAt(T0);
        first.keepMarker(T0 + 100);
        first.remember("t1", T0 + 200);
        dedup.remember("t1", T0 + 200, new byte[] {1});
        dedup.remember("r1", T0 + 300, new byte[] {1});

        UnbegunAborts restarted = startedAt(T0 + 1_000);

        assertThat(restarted.mayHaveAborted("t1", T0 + 1_000)).as("reloaded from the store").isTrue();
        assertThat(restarted.mayHaveAborted("r1", T0 + 1_000)).isFalse();
    }

    @Test
    void theMarkerIsWrittenAgainEveryIntervalWithADedupSegmentKeeper() {
        UnbegunAborts unbegun = startedAt(T0);
        unbegun.keepMarker(T0);
        unbegun.keepMarker(T0 + HOUR - 1);
        assertThat(dedup.newestSince(DedupLog.SEGMENT_KEEPER, T0 + 1)).as("not again within the interval").isNull();

        unbegun.keepMarker(T0 + HOUR);

        assertThat(dedup.newestSince(DedupLog.SEGMENT_KEEPER, T0 + HOUR)).isNotNull();
        assertThat(new DedupLog(index, RETENTION).newestSince(UnbegunAborts.MARKER, T0 + HOUR)).hasSize(8);
    }

    @Test
    void aMarkerOlderThanTheRetentionLessTheMarginSaysNothing() {
        UnbegunAborts first = startedAt(T0);
        first.keepMarker(T0);
        dedup.remember("r1", T0 + 300, new byte[] {1});

        // A stop of almost a day: a version without the index may have run the task since, its start forgotten.
        long later = T0 + RETENTION.toMillis() - HOUR + 1;
        UnbegunAborts restarted = startedAt(later);

        assertThat(restarted.mayHaveAborted("any", later)).isTrue();
        assertThat(startedAt(later - 1).mayHaveAborted("any", later - 1)).as("a marker just young enough counts")
                .isFalse();
    }

    @Test
    void aStartOfAnEarlierVersionWithinTheRetentionMakesTheIndexIncompleteWhateverTheMarkerSays() {
        UnbegunAborts first = startedAt(T0);
        first.keepMarker(T0);
        // An earlier version ran the task (a rollback, or a rolling upgrade): its keeper is empty, and
        // its aborts on votes alone went to the dedup store only.
        outcomes.put(DedupLog.SEGMENT_KEEPER, new byte[0], T0 + 1_000);
        dedup.remember("aborted-by-the-earlier-version", T0 + 2_000, new byte[] {1});

        long upgradedAgain = T0 + 3_000;
        UnbegunAborts restarted = startedAt(upgradedAgain);

        assertThat(restarted.mayHaveAborted("aborted-by-the-earlier-version", upgradedAgain)).isTrue();
        assertThat(restarted.mayHaveAborted("any", upgradedAgain + RETENTION.toMillis() + HOUR)).isTrue();
        assertThat(restarted.mayHaveAborted("any", upgradedAgain + RETENTION.toMillis() + HOUR + 1)).isFalse();
    }

    @Test
    void aKeeperOfThisVersionNeverReplacesAnEarlierVersionsWrittenInTheSameMillisecond() {
        outcomes.put(DedupLog.SEGMENT_KEEPER, new byte[0], T0);

        dedup.keepASegment(T0);

        assertThat(dedup.keptByAnEarlierVersion(T0)).isTrue();
    }

    @Test
    void aLookupWhileTheClockIsFarAheadForgetsNothingTheDedupStoreStillHolds() {
        UnbegunAborts unbegun = startedAt(T0);
        unbegun.remember("t1", T0);

        assertThat(unbegun.mayHaveAborted("t1", T0 + 10 * RETENTION.toMillis())).isFalse();
        assertThat(unbegun.mayHaveAborted("t1", T0 + 1)).as("the clock stepped back").isTrue();
    }

    @Test
    void aLongerRetentionKeepsTheIndexIncompleteForAsLongAsTheOutcomesItMissedAreKept() {
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        Duration longer = RETENTION.multipliedBy(2);
        WindowStore<String, byte[]> longIndex = windowStore("unbegun-long", context, longer);
        DedupLog longDedup = new DedupLog(windowStore("dedup-long", context, longer), longer);
        longDedup.remember("r1", T0 - 1_000, new byte[] {1});
        new UnbegunAborts(longIndex, longDedup, RETENTION, T0).keepMarker(T0);

        long later = T0 + HOUR;
        UnbegunAborts restarted = new UnbegunAborts(longIndex, longDedup, longer, later);

        assertThat(restarted.mayHaveAborted("any", ALL_FORGOTTEN)).as("r1 is kept for the longer retention")
                .isTrue();
        assertThat(restarted.mayHaveAborted("any", T0 + longer.toMillis() + HOUR + 1)).isFalse();
    }
}
