package io.kvpipe.producers.partitioner;

import static io.kvpipe.producers.partitioner.Topics.TOPIC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.avro.util.Utf8;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.serialization.LongSerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConsistentHashPartitionerTest {

    private static final int PARTITIONS = 64;
    private static final Cluster CLUSTER = Topics.withPartitions(PARTITIONS);

    private final ConsistentHashPartitioner partitioner = new ConsistentHashPartitioner();

    @Test
    void everyKeyFormHashesTheSameBytes() {
        String key = "user:\u00e9\u4e2d\uD83D\uDD11";
        byte[] utf8 = key.getBytes(StandardCharsets.UTF_8);
        Set<Integer> expected = Set.of(ConsistentHashPartitioner.partitionFor(key, PARTITIONS));

        for (Object form : new Object[] {key, new StringBuilder(key), new Utf8(key), utf8, Bytes.wrap(utf8)}) {
            assertThat(partitioner.partitions(TOPIC, form, null, PARTITIONS))
                .as(form.getClass().getSimpleName()).contains(expected);
            assertThat(partitioner.partition(TOPIC, form, null, null, null, CLUSTER))
                .as(form.getClass().getSimpleName()).isIn(expected);
        }
    }

    @Test
    void producerPrefersTheKeyObjectOverItsSerializedForm() {
        byte[] framedBytes = {0, 0, 0, 0, 7, 6, 'u', 's', 'e', 'r', ':', '1'}; // e.g. a schema-registry frame
        assertThat(partitioner.partition(TOPIC, "user:1", framedBytes, null, null, CLUSTER))
            .isEqualTo(ConsistentHashPartitioner.partitionFor("user:1", PARTITIONS));
    }

    @Test
    void producerRoutesOtherKeyTypesByTheirSerializedBytes() {
        byte[] serialized = new LongSerializer().serialize(TOPIC, 42L);
        assertThat(partitioner.partition(TOPIC, 42L, serialized, null, null, CLUSTER))
            .isEqualTo(ConsistentHashPartitioner.partitionFor(serialized, PARTITIONS));
    }

    @Test
    void producerRejectsOtherKeyTypesThatSerializeToNull() {
        assertThatThrownBy(() -> partitioner.partition(TOPIC, 42L, null, null, null, CLUSTER))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("java.lang.Long");
    }

    @Test
    void streamsRejectsOtherKeyTypes() {
        assertThatThrownBy(() -> partitioner.partitions(TOPIC, 42L, null, PARTITIONS))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("java.lang.Long");
    }

    @Test
    void producerRejectsNullKeys() {
        assertThatThrownBy(() -> partitioner.partition(TOPIC, null, null, "v", null, CLUSTER))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("null keys cannot be routed");
    }

    @Test
    void partitionForRejectsNullKeys() {
        assertThatThrownBy(() -> ConsistentHashPartitioner.partitionFor((String) null, PARTITIONS))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("null keys cannot be routed");
        assertThatThrownBy(() -> ConsistentHashPartitioner.partitionFor((byte[]) null, PARTITIONS))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("null keys cannot be routed");
    }

    @Test
    void streamsLeavesNullKeysToItsDefaultPartitioning() {
        assertThat(partitioner.partitions(TOPIC, null, "v", PARTITIONS)).isEqualTo(Optional.empty());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void rejectsFewerThanOnePartition(int numPartitions) {
        assertThatThrownBy(() -> ConsistentHashPartitioner.partitionFor("k", numPartitions))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("numPartitions");
        assertThatThrownBy(() -> ConsistentHashPartitioner.partitionFor(new byte[] {1}, numPartitions))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("numPartitions");
        assertThatThrownBy(() -> partitioner.partitions(TOPIC, "k", null, numPartitions))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("numPartitions");
        assertThatThrownBy(() -> partitioner.partitions(TOPIC, null, null, numPartitions))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("numPartitions");
    }

    @Test
    void producerRejectsATopicWithoutPartitions() {
        assertThatThrownBy(() -> partitioner.partition("unknown-topic", "k", null, null, null, CLUSTER))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("numPartitions");
    }

    @Test
    void worksAsTheProducersPartitioner() throws ExecutionException, InterruptedException {
        try (MockProducer<String, String> producer = new MockProducer<>(
                CLUSTER, true, new ConsistentHashPartitioner(), new StringSerializer(), new StringSerializer())) {
            for (String key : new String[] {"a", "foo", "user:42"}) {
                RecordMetadata sent = producer.send(new ProducerRecord<>(TOPIC, key, "v")).get();
                assertThat(sent.partition()).as(key).isEqualTo(ConsistentHashPartitioner.partitionFor(key, PARTITIONS));
            }
        }
    }

    @Test
    void fitsTheKafkaStreamsSignatures() {
        // Produced and KafkaStreams.queryMetadataForKey take StreamPartitioner<? super K, ...>;
        // Repartitioned wants exactly StreamPartitioner<K, V>, which a method reference adapts to.
        StreamPartitioner<? super String, ?> forQueries = partitioner;
        Produced<String, String> forSinks = Produced.with(Serdes.String(), Serdes.String()).withStreamPartitioner(partitioner);
        Repartitioned<String, String> forRepartitioning = Repartitioned.streamPartitioner(partitioner::partitions);
        assertThat(forQueries).isNotNull();
        assertThat(forSinks).isNotNull();
        assertThat(forRepartitioning).isNotNull();
    }
}
