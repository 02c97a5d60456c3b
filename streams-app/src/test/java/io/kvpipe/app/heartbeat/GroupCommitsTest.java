package io.kvpipe.app.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.internals.KafkaFutureImpl;
import org.junit.jupiter.api.Test;

class GroupCommitsTest {

    private static final TopicPartition P0 = new TopicPartition("kv-requests", 0);
    private static final TopicPartition P1 = new TopicPartition("kv-requests", 1);

    private final AtomicLong now = new AtomicLong(1_000);
    private final List<KafkaFutureImpl<Map<TopicPartition, OffsetAndMetadata>>> fetches = new ArrayList<>();
    private final GroupCommits commits = new GroupCommits(() -> {
        KafkaFutureImpl<Map<TopicPartition, OffsetAndMetadata>> fetch = new KafkaFutureImpl<>();
        fetches.add(fetch);
        return fetch;
    }, Duration.ofSeconds(5), now::get);

    @Test
    void unknownUntilTheFirstFetchAnswersWhichIsNeverWaitedFor() {
        assertThat(commits.committed(P0)).isEqualTo(-1);
        assertThat(fetches).hasSize(1);

        fetches.get(0).complete(Map.of(P0, new OffsetAndMetadata(42)));
        assertThat(commits.committed(P0)).isEqualTo(42);
        assertThat(commits.committed(P1)).as("a partition the group never committed").isEqualTo(-1);
    }

    @Test
    void fetchesAtMostOncePerIntervalAndNeverTwiceAtATime() {
        commits.committed(P0);
        now.addAndGet(10_000);
        commits.committed(P0);
        assertThat(fetches).as("the first is still in flight").hasSize(1);

        fetches.get(0).complete(Map.of(P0, new OffsetAndMetadata(42)));
        commits.committed(P0);
        assertThat(fetches).as("the interval passed while it was in flight").hasSize(2);
        fetches.get(1).complete(Map.of(P0, new OffsetAndMetadata(50)));
        now.addAndGet(4_000);
        assertThat(commits.committed(P0)).isEqualTo(50);
        assertThat(fetches).as("within the interval").hasSize(2);
        now.addAndGet(1_000);
        commits.committed(P0);
        assertThat(fetches).hasSize(3);
    }

    @Test
    void aFailedFetchKeepsWhatWasKnownAndIsRetriedAfterTheInterval() {
        commits.committed(P0);
        fetches.get(0).complete(Map.of(P0, new OffsetAndMetadata(42)));
        now.addAndGet(5_000);
        commits.committed(P0);
        fetches.get(1).completeExceptionally(new TimeoutException("broker away"));
        assertThat(commits.committed(P0)).isEqualTo(42);
        assertThat(fetches).hasSize(2);
        now.addAndGet(5_000);
        commits.committed(P0);
        assertThat(fetches).hasSize(3);
    }

    @Test
    void forgetsWhatItLearnedMoreThanTwoIntervalsAgo() {
        commits.committed(P0);
        fetches.get(0).complete(Map.of(P0, new OffsetAndMetadata(42)));
        now.addAndGet(10_000);
        assertThat(commits.committed(P0)).as("exactly two intervals old").isEqualTo(42);
        fetches.get(1).completeExceptionally(new TimeoutException("broker away"));
        now.addAndGet(1);
        assertThat(commits.committed(P0)).as("the partition may have moved and been processed elsewhere since")
                .isEqualTo(-1);
        now.addAndGet(5_000);
        commits.committed(P0);
        fetches.get(2).complete(Map.of(P0, new OffsetAndMetadata(50)));
        assertThat(commits.committed(P0)).isEqualTo(50);
    }

    @Test
    void aFetchThatCannotEvenStartIsRetriedLater() {
        AtomicLong calls = new AtomicLong();
        GroupCommits failing = new GroupCommits(() -> {
            calls.incrementAndGet();
            throw new IllegalStateException("admin closed");
        }, Duration.ofSeconds(5), now::get);
        assertThat(failing.committed(P0)).isEqualTo(-1);
        now.addAndGet(5_000);
        assertThat(failing.committed(P0)).isEqualTo(-1);
        assertThat(calls).hasValue(2);
    }

    @Test
    void noneNeverKnows() {
        assertThat(GroupCommits.none().committed(P0)).isEqualTo(-1);
    }
}
