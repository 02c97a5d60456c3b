package io.kvpipe.app.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task's window stores get a live time segment at its first punctuation, so they close with a
 * changelog offset even when nothing was remembered (see {@link DedupLog#keepASegment}); without
 * one, Kafka Streams 4.3.1 rebuilds the whole task from its changelogs at the next start.
 */
class SegmentKeeperTest {

    private static final List<String> WINDOW_STORES = List.of(StoreNames.DEDUP, StoreNames.DECISIONS,
            StoreNames.UNBEGUN);

    @TempDir
    Path stateDir;

    private Pipeline pipeline;

    @AfterEach
    void stop() {
        pipeline.close();
    }

    @Test
    void theFirstPunctuationGivesEveryWindowStoreASegmentOnce() {
        pipeline = new Pipeline(stateDir);
        for (String store : WINDOW_STORES) {
            assertThat(pipeline.windowKeys(store)).as(store).isEmpty();
        }

        pipeline.advance(TaskProcessor.PUNCTUATION_INTERVAL);

        for (String store : WINDOW_STORES) {
            assertThat(pipeline.windowKeys(store)).as(store).containsExactly(DedupLog.SEGMENT_KEEPER);
        }
        assertThat(pipeline.decisionsRemembered()).isZero();

        pipeline.advance(Duration.ofSeconds(5));
        for (String store : WINDOW_STORES) {
            assertThat(pipeline.windowKeys(store)).as("once per start: " + store).hasSize(1);
        }
    }

    @Test
    void theUnbegunAbortsMarkerAndTheDedupKeeperAreWrittenAgainEveryHourSoThatTheyNeverAgeOutOfARunningTask() {
        pipeline = new Pipeline(stateDir);
        pipeline.advance(TaskProcessor.PUNCTUATION_INTERVAL);
        pipeline.advance(UnbegunAborts.MAX_MARK_INTERVAL.minusSeconds(1));
        assertThat(pipeline.windowKeys(StoreNames.UNBEGUN)).hasSize(1);

        pipeline.advance(Duration.ofSeconds(1));

        for (String store : List.of(StoreNames.UNBEGUN, StoreNames.DEDUP)) {
            assertThat(pipeline.windowKeys(store)).as(store).containsExactly(DedupLog.SEGMENT_KEEPER,
                    DedupLog.SEGMENT_KEEPER);
        }
        assertThat(pipeline.windowKeys(StoreNames.DECISIONS)).as("once per start").hasSize(1);
    }
}
