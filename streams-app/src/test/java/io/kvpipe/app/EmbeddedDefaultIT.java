package io.kvpipe.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.avro.ChangeEvent;
import io.kvpipe.schemas.serde.AvroDeserializer;
import io.kvpipe.schemas.serde.AvroSerializer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded default as the app starts it: a real KRaft broker and the registry on its topic. */
class EmbeddedDefaultIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    @Test
    void avroRecordsAndSchemaIdsSurviveARestartOfBrokerAndRegistry() throws Exception {
        Environment.Settings settings = new Environment.Settings("localhost", freePort(), freePort(), freePort(),
                dataDir, false, null, null, Map.of());
        List<ChangeEvent> written = List.of(change("alice", "10", 1), change("bob", "20", 1), change("alice", null, 2));
        Pipeline first;
        String latestChangesSchema;

        // Given: records produced through the registry, and a subject-level compatibility setting
        try (Environment env = Environment.start(settings)) {
            first = Pipeline.provision(env, "kv-", 4, null);
            try (KafkaProducer<String, ChangeEvent> producer = producer(env)) {
                for (ChangeEvent event : written) {
                    producer.send(new ProducerRecord<>("kv-changes", event.getKey(), event)).get();
                }
            }
            assertThat(http("PUT", env.schemaRegistryUrl() + "/config/kv-changes-value", "{\"compatibility\":\"FULL\"}"))
                    .contains("FULL");
            latestChangesSchema = http("GET", env.schemaRegistryUrl() + "/subjects/kv-changes-value/versions/latest", null);
        }

        // When: both start again on the same data directory
        try (Environment env = Environment.start(settings)) {
            Pipeline second = Pipeline.provision(env, "kv-", 4, null);

            // Then: the same ids for the same schemas, the same settings, and the same records
            assertThat(second.schemaIds()).isEqualTo(first.schemaIds());
            assertThat(http("GET", env.schemaRegistryUrl() + "/subjects/kv-changes-value/versions/latest", null))
                    .isEqualTo(latestChangesSchema);
            assertThat(http("GET", env.schemaRegistryUrl() + "/config/kv-changes-value", null)).contains("FULL");
            assertThat(readChanges(env, written.size())).containsExactlyElementsOf(written);
            assertThat(rawValues(env, written.size())).allSatisfy(bytes -> {
                // Confluent framing: magic byte 0 then the big-endian id the registry gave the subject.
                assertThat(bytes[0]).isEqualTo((byte) 0);
                assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(first.schemaIds().get("kv-changes-value"));
            });
        }
    }

    private static ChangeEvent change(String key, String value, long version) {
        return ChangeEvent.newBuilder().setKey(key).setValue(value).setVersion(version)
                .setRequestId("req-" + key + "-" + version).setTimestampMs(1_700_000_000_000L + version).build();
    }

    private static KafkaProducer<String, ChangeEvent> producer(Environment env) {
        Map<String, Object> config = new HashMap<>(env.clientConfig());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put("schema.registry.url", env.schemaRegistryUrl());
        AvroSerializer<ChangeEvent> values = new AvroSerializer<>();
        values.configure(config, false);
        return new KafkaProducer<>(config, new StringSerializer(), values);
    }

    private static List<ChangeEvent> readChanges(Environment env, int expected) {
        Map<String, Object> config = new HashMap<>(env.clientConfig());
        config.put("schema.registry.url", env.schemaRegistryUrl());
        config.put(AvroDeserializer.SPECIFIC_AVRO_READER, "true");
        AvroDeserializer<ChangeEvent> values = new AvroDeserializer<>();
        values.configure(config, false);
        List<ChangeEvent> seen = new ArrayList<>();
        try (KafkaConsumer<String, ChangeEvent> consumer = consumer(env, new StringDeserializer(), values)) {
            drain(consumer, expected, r -> seen.add(r.value()));
        }
        seen.sort((a, b) -> Long.compare(a.getTimestampMs(), b.getTimestampMs()) != 0
                ? Long.compare(a.getTimestampMs(), b.getTimestampMs()) : a.getKey().compareTo(b.getKey()));
        return seen;
    }

    private static List<byte[]> rawValues(Environment env, int expected) {
        List<byte[]> seen = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(env, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            drain(consumer, expected, r -> seen.add(r.value()));
        }
        return seen;
    }

    private static <K, V> KafkaConsumer<K, V> consumer(Environment env,
            org.apache.kafka.common.serialization.Deserializer<K> keys,
            org.apache.kafka.common.serialization.Deserializer<V> values) {
        Map<String, Object> config = new HashMap<>(env.clientConfig());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        KafkaConsumer<K, V> consumer = new KafkaConsumer<>(config, keys, values);
        List<TopicPartition> partitions = consumer.partitionsFor("kv-changes").stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    private static <K, V> void drain(KafkaConsumer<K, V> consumer, int expected,
            java.util.function.Consumer<ConsumerRecord<K, V>> sink) {
        int[] count = {0};
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (count[0] < expected && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                sink.accept(r);
                count[0]++;
            });
        }
    }

    private static String http(String method, String url, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + url + " -> " + response.body()).isEqualTo(200);
        return response.body();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
