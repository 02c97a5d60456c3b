package io.kvpipe.app.topology;

import static io.kvpipe.app.topology.Requests.add;
import static io.kvpipe.app.topology.Requests.request;
import io.kvpipe.schemas.testing.InMemorySchemaRegistry;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.avro.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dedup store remembers an outcome with one write and forgets it with none: exactly at the
 * retention for lookups, by whole segments for storage.
 */
class DedupLogTest {

    private static final Duration RETENTION = Duration.ofMinutes(10);
    private static final String CHANGELOG = "kvpipe-topology-test-" + StoreNames.DEDUP + "-changelog";

    @TempDir
    Path stateDir;

    private Pipeline pipeline;
    private final String key = Keys.here("counter:");

    @AfterEach
    void stop() {
        pipeline.close();
    }

    @Test
    void anOutcomeIsRememberedUpToAndIncludingTheRetentionThenForgotten() {
        pipeline = new Pipeline(stateDir, RETENTION);
        pipeline.send(request("r", add(key, 1)));

        pipeline.advance(RETENTION);
        assertThat(pipeline.dedup().get("r")).isNotNull();

        pipeline.advance(Duration.ofMillis(1));
        assertThat(pipeline.dedup().get("r")).isNull();
    }

    @Test
    void anIdRememberedAgainAfterItWasForgottenIsFoundWithItsNewOutcome() {
        pipeline = new Pipeline(stateDir, RETENTION);
        pipeline.send(request("r", add(key, 1)));
        Outcome first = pipeline.outcome();
        pipeline.advance(RETENTION.plusMillis(1));
        pipeline.send(request("r", add(key, 1)));
        Outcome second = pipeline.outcome();

        assertThat(second).isNotEqualTo(first);
        assertThat(pipeline.dedup().get("r")).isEqualTo(second);
        pipeline.send(request("r", add(key, 1)));
        assertThat(pipeline.outcome()).isEqualTo(second);
        assertThat(pipeline.kv().get(key).getValue()).isEqualTo("2");
    }

    @Test
    void rememberingIsOneChangelogRecordAndForgettingWritesNothing() {
        pipeline = new Pipeline(stateDir, RETENTION);
        TestOutputTopic<byte[], byte[]> changelog = pipeline.driver.createOutputTopic(CHANGELOG,
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        for (int i = 0; i < 5; i++) {
            pipeline.send(request("r" + i, add(key, 1)));
        }
        pipeline.advance(RETENTION.multipliedBy(3));
        pipeline.send(request("late", add(key, 1)));
        pipeline.advance(Duration.ofSeconds(1));

        List<KeyValue<byte[], byte[]>> records = changelog.readKeyValuesToList();
        assertThat(records).allSatisfy(record -> assertThat(record.value).isNotNull());
        // A changelog key is the id, the window start (8 bytes) and a sequence number (4): the
        // segment keeper's id is empty.
        int keeperKeyBytes = Long.BYTES + Integer.BYTES;
        assertThat(records).filteredOn(record -> record.key.length > keeperKeyBytes).as("the outcomes").hasSize(6);
        assertThat(records).filteredOn(record -> record.key.length == keeperKeyBytes).as("the segment keeper, once")
                .hasSize(1);
    }

    @Test
    void expiredOutcomesAreDroppedWithTheirSegments() throws Exception {
        pipeline = new Pipeline(stateDir, RETENTION);
        for (int i = 0; i < 5; i++) {
            pipeline.send(request("r" + i, add(key, 1)));
        }
        assertThat(storedIds()).hasSize(5);
        List<Path> before = segments();
        assertThat(before).hasSize(1);

        pipeline.advance(RETENTION.multipliedBy(3));
        pipeline.send(request("late", add(key, 1)));

        assertThat(storedIds()).containsExactly("late");
        assertThat(segments()).hasSize(1).doesNotContainAnyElementsOf(before);
    }

    /** The store's segment directories (one RocksDB each). */
    private List<Path> segments() throws Exception {
        try (var files = Files.walk(stateDir)) {
            return files.filter(Files::isDirectory)
                    .filter(dir -> dir.getFileName().toString().startsWith(StoreNames.DEDUP + "."))
                    .toList();
        }
    }

    /** The request ids the store holds (not its segment keeper, see SegmentKeeperTest). */
    private List<String> storedIds() {
        WindowStore<String, byte[]> store = pipeline.driver.getWindowStore(StoreNames.DEDUP);
        List<String> ids = new java.util.ArrayList<>();
        try (KeyValueIterator<Windowed<String>, byte[]> all = store.all()) {
            all.forEachRemaining(entry -> ids.add(entry.key.key()));
        }
        ids.remove(DedupLog.SEGMENT_KEEPER);
        return ids;
    }
}
