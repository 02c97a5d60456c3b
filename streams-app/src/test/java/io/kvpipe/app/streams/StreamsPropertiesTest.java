package io.kvpipe.app.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** The settings as Kafka Streams resolves them for its clients, prefixes and precedence included. */
class StreamsPropertiesTest {

    private static StreamsConfig resolve(Map<String, Object> clientConfig) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put("bootstrap.servers", "localhost:9092");
        return new StreamsConfig(StreamsProperties.of(config, "kv-app", "localhost:7070", Path.of("state"), 1, 1, 1));
    }

    private static Map<String, Object> mainConsumer(StreamsConfig config) {
        return config.getMainConsumerConfigs("kv-app", "kv-app-StreamThread-1-consumer", 0);
    }

    @Test
    void defaultsReachTheClientsTheyAreFor() {
        StreamsConfig config = resolve(Map.of());

        assertThat(config.getLong(StreamsConfig.POLL_MS_CONFIG)).isEqualTo(StreamsProperties.DEFAULT_POLL_MS);
        assertThat(config.getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG))
                .isEqualTo(StreamsProperties.DEFAULT_COMMIT_INTERVAL_MS);
        Map<String, Object> consumer = mainConsumer(config);
        assertThat(consumer.get(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG))
                .isEqualTo(StreamsProperties.DEFAULT_MAIN_CONSUMER_FETCH_MAX_WAIT_MS);
        assertThat(consumer.get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)).isEqualTo(10_000);
        assertThat(consumer.get(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG)).isEqualTo(2_000);
        assertThat(config.getProducerConfigs("kv-app-producer").get(ProducerConfig.BATCH_SIZE_CONFIG))
                .isEqualTo(StreamsProperties.DEFAULT_PRODUCER_BATCH_BYTES);
        assertThat(config.getClass(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG)).isEqualTo(PipelineRocksDBConfig.class);
        // The short fetch wait is for the stream thread's own consumer only.
        assertThat(config.getRestoreConsumerConfigs("kv-app-restore-consumer"))
                .doesNotContainKey(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG);
    }

    @Test
    void theConfigurationTheAssignorBuildsFromTheConsumersSettingsOptsInToo() {
        // What Streams' partition assignor does; a false here is a warning in the log at every start.
        StreamsConfig assignors = new StreamsConfig(mainConsumer(resolve(Map.of())));

        assertThat(assignors.getBoolean(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG)).isTrue();
    }

    @Test
    void theApplicationsUnprefixedSettingsWinOverPrefixedDefaults() {
        // Streams ranks a prefixed setting above an unprefixed one, so a prefixed default would
        // silently override what the application set for every client.
        StreamsConfig config = resolve(Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "300",
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "30000", ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "5000",
                ProducerConfig.BATCH_SIZE_CONFIG, "32768", StreamsConfig.POLL_MS_CONFIG, "100",
                StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, OwnSetter.class.getName()));

        assertThat(config.getLong(StreamsConfig.POLL_MS_CONFIG)).isEqualTo(100L);
        Map<String, Object> consumer = mainConsumer(config);
        assertThat(consumer.get(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG)).isEqualTo("300");
        assertThat(consumer.get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)).isEqualTo("30000");
        assertThat(consumer.get(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG)).isEqualTo("5000");
        assertThat(config.getProducerConfigs("kv-app-producer").get(ProducerConfig.BATCH_SIZE_CONFIG)).isEqualTo("32768");
        assertThat(config.getClass(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG)).isEqualTo(OwnSetter.class);
    }

    /** An application's own RocksDB setter, which keeps the pipeline's options as documented. */
    public static final class OwnSetter extends PipelineRocksDBConfig {
    }

    @Test
    void theApplicationsPrefixedSettingsWinToo() {
        // Under the very keys the defaults use: the application's value must not be overwritten.
        StreamsConfig config = resolve(Map.of(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG),
                "250", StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "20000"));

        Map<String, Object> consumer = mainConsumer(config);
        assertThat(consumer.get(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG)).isEqualTo("250");
        assertThat(consumer.get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG)).isEqualTo("20000");
    }
}
