package io.kvpipe.producers.client.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

class TopicLookupTest {

    private long nowNanos;
    private final List<Long> pauses = new ArrayList<>();
    private int lookups;
    private final TopicLookup lookup = new TopicLookup(() -> nowNanos, ms -> {
        pauses.add(ms);
        nowNanos += ms * 1_000_000;
    });

    private static List<PartitionInfo> partitions(int count) {
        List<PartitionInfo> partitions = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            partitions.add(new PartitionInfo("kv-results", p, null, null, null));
        }
        return partitions;
    }

    @Test
    void aTopicJustCreatedIsAskedForAgainUntilTheMetadataShowsIt() {
        // What a broker that has not caught up answers: an error, then no partitions, then the topic.
        int count = lookup.partitionCount("kv-results", timeout -> switch (++lookups) {
            case 1 -> throw new UnknownTopicOrPartitionException("This server does not host this topic-partition.");
            case 2 -> List.of();
            default -> partitions(8);
        }, Duration.ofSeconds(10));

        assertThat(count).isEqualTo(8);
        assertThat(lookups).isEqualTo(3);
        assertThat(pauses).containsExactly(TopicLookup.PAUSE_MS, TopicLookup.PAUSE_MS);
    }

    @Test
    void aTopicThatNeverAppearsIsMissingOnceTheBoundIsOverSayingSo() {
        assertThatThrownBy(() -> lookup.partitionCount("kv-results", timeout -> {
            lookups++;
            throw new UnknownTopicOrPartitionException("unknown");
        }, Duration.ofMillis(1000)))
                .isInstanceOf(TopicLookup.MissingTopicException.class)
                .hasMessage("topic kv-results does not exist (Kafka's metadata did not show it within 1000 ms;"
                        + " is the pipeline provisioned, with this topic prefix?)");
        assertThat(lookups).isEqualTo(11);
    }

    @Test
    void eachLookupMayTakeOnlyWhatIsLeftOfTheBound() {
        List<Duration> given = new ArrayList<>();
        assertThatThrownBy(() -> lookup.partitionCount("t", timeout -> {
            given.add(timeout);
            return List.of();
        }, Duration.ofMillis(250)));
        // The last ask, when the bound is reached, gets the 1 ms minimum a lookup needs.
        assertThat(given).containsExactly(Duration.ofMillis(250), Duration.ofMillis(150), Duration.ofMillis(50),
                Duration.ofMillis(1));
    }

    @Test
    void kafkaNotAnsweringIsNotRetriedHere() {
        assertThatThrownBy(() -> lookup.partitionCount("t", timeout -> {
            throw new TimeoutException("Timeout expired while fetching topic metadata");
        }, Duration.ofSeconds(10))).isInstanceOf(TimeoutException.class);
        assertThat(pauses).isEmpty();
    }
}
