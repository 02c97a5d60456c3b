package io.kvpipe.app.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.avro.ChangeEvent;
import io.kvpipe.avro.Request;
import io.kvpipe.schemas.registry.RestSchemaRegistryClient;
import io.kvpipe.schemas.registry.SchemaRegistryClient;
import io.kvpipe.schemas.serde.AvroDeserializer;
import io.kvpipe.schemas.serde.AvroSerializer;
import java.io.File;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The same round trip as the embedded default, against docker/compose.yml: three KRaft brokers
 * from the apache/kafka image, Confluent's own Schema Registry, and the app, which provisions the
 * pipeline's topics and registers its schemas there. Skipped, not failed, without a Docker engine.
 */
@Testcontainers(disabledWithoutDocker = true)
class ComposeRoundTripIT {

    private static final String KAFKA = "localhost:29092,localhost:29093,localhost:29094";

    @Container
    static final ComposeContainer COMPOSE = new ComposeContainer(new File("../docker/compose.yml"))
            .withBuild(true)
            .withExposedService("schema-registry", 8081, Wait.forHttp("/subjects").forStatusCode(200))
            .waitingFor("app", Wait.forLogMessage(".*kvpipe is up.*", 1))
            .withStartupTimeout(Duration.ofMinutes(10));

    @Test
    void recordsWeWriteAreFramedWithConfluentsRegistryIdsAndReadBack() throws Exception {
        String registryUrl = "http://" + COMPOSE.getServiceHost("schema-registry", 8081) + ":"
                + COMPOSE.getServicePort("schema-registry", 8081);
        Map<String, Object> config = Map.of(
                "bootstrap.servers", KAFKA,
                "schema.registry.url", registryUrl,
                AvroDeserializer.SPECIFIC_AVRO_READER, "true",
                ProducerConfig.ACKS_CONFIG, "all",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");

        try (SchemaRegistryClient registry = RestSchemaRegistryClient.fromConfig(config)) {
            // The app registered the pipeline's schemas in Confluent's registry at start.
            assertThat(registry.idOf("kv-requests-value", Request.getClassSchema())).isPositive();

            ChangeEvent event = ChangeEvent.newBuilder().setKey("k").setValue("v").setVersion(1)
                    .setRequestId("r-1").setTimestampMs(1L).build();
            AvroSerializer<ChangeEvent> serializer = new AvroSerializer<>();
            serializer.configure(config, false);
            try (KafkaProducer<String, ChangeEvent> producer = new KafkaProducer<>(config, new StringSerializer(), serializer)) {
                producer.send(new ProducerRecord<>("kv-changes", "k", event)).get();
            }
            int id = registry.idOf("kv-changes-value", ChangeEvent.getClassSchema());

            AvroDeserializer<ChangeEvent> deserializer = new AvroDeserializer<>();
            deserializer.configure(config, false);
            try (KafkaConsumer<String, ChangeEvent> consumer = new KafkaConsumer<>(config, new StringDeserializer(), deserializer);
                    KafkaConsumer<byte[], byte[]> raw = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                assertThat(readOne(consumer)).isEqualTo(event);
                byte[] bytes = readOne(raw);
                assertThat(bytes[0]).isZero();
                assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
            }
        }
    }

    private static <K, V> V readOne(KafkaConsumer<K, V> consumer) {
        List<TopicPartition> partitions = consumer.partitionsFor("kv-changes").stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        List<V> seen = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (seen.isEmpty() && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(500)).forEach(r -> seen.add(r.value()));
        }
        assertThat(seen).isNotEmpty();
        return seen.get(0);
    }
}
