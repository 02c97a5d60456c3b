package io.kvpipe.app.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task's window stores get a live time segment at its first punctuation, so they close with a
 * changelog offset even when nothing was remembered (see {@link DedupLog#keepASegment}); without
 * one, Kafka Streams 4.3.1 rebuilds the whole task from its changelogs at the next start.
 */
class SegmentKeeperTest {

    @TempDir
    Path stateDir;

    private Pipeline pipeline;

    @AfterEach
    void stop() {
        pipeline.close();
    }

    @Test
    void theFirstPunctuationGivesBothWindowStoresASegmentOnce() {
        pipeline = new Pipeline(stateDir);
        assertThat(pipeline.windowKeys(StoreNames.DEDUP)).isEmpty();
        assertThat(pipeline.windowKeys(StoreNames.DECISIONS)).isEmpty();

        pipeline.advance(TaskProcessor.PUNCTUATION_INTERVAL);

        assertThat(pipeline.windowKeys(StoreNames.DEDUP)).containsExactly(DedupLog.SEGMENT_KEEPER);
        assertThat(pipeline.windowKeys(StoreNames.DECISIONS)).containsExactly(DedupLog.SEGMENT_KEEPER);
        assertThat(pipeline.decisionsRemembered()).isZero();

        pipeline.advance(Duration.ofSeconds(5));
        assertThat(pipeline.windowKeys(StoreNames.DEDUP)).as("once per start").hasSize(1);
        assertThat(pipeline.windowKeys(StoreNames.DECISIONS)).hasSize(1);
    }
}
