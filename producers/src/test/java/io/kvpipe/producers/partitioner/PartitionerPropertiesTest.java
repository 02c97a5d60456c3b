package io.kvpipe.producers.partitioner;

import static io.kvpipe.producers.partitioner.Topics.TOPIC;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.apache.avro.util.Utf8;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Properties over random keys and partition counts: each invocation is one seed (shown in its
 * name) checking {@link #CASES} generated cases.
 */
class PartitionerPropertiesTest {

    private static final int SEEDS = 20;
    private static final int CASES = 500;

    static LongStream seeds() {
        return RandomKeys.seeds(SEEDS);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void partitionIsWithinRange(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < CASES; i++) {
            String key = RandomKeys.string(random);
            byte[] bytes = RandomKeys.bytes(random, 64);
            int numPartitions = RandomKeys.partitionCount(random);

            assertThat(ConsistentHashPartitioner.partitionFor(key, numPartitions))
                .as("\"%s\" over %d", key, numPartitions).isBetween(0, numPartitions - 1);
            assertThat(ConsistentHashPartitioner.partitionFor(bytes, numPartitions))
                .as("%s over %d", Bytes.wrap(bytes), numPartitions).isBetween(0, numPartitions - 1);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void samePartitionForTheSameKeyAcrossCallsInstancesAndCopies(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        ConsistentHashPartitioner first = new ConsistentHashPartitioner();
        ConsistentHashPartitioner second = new ConsistentHashPartitioner();
        for (int i = 0; i < CASES; i++) {
            String key = RandomKeys.string(random);
            String copy = new String(key.toCharArray());
            int numPartitions = RandomKeys.partitionCount(random);
            int expected = ConsistentHashPartitioner.partitionFor(key, numPartitions);

            assertThat(ConsistentHashPartitioner.partitionFor(copy, numPartitions)).as(key).isEqualTo(expected);
            assertThat(first.partitions(TOPIC, key, null, numPartitions)).as(key).contains(Set.of(expected));
            assertThat(second.partitions(TOPIC, copy, null, numPartitions)).as(key).contains(Set.of(expected));
            assertThat(first.partitions(TOPIC, key, null, numPartitions)).as(key).contains(Set.of(expected));
        }
    }

    /** Producer, Streams and the static method: one answer for every form of the same key. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void producerStreamsAndPartitionForAgree(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        ConsistentHashPartitioner partitioner = new ConsistentHashPartitioner();
        StringSerializer serializer = new StringSerializer();
        for (int i = 0; i < CASES / 5; i++) {
            int numPartitions = random.nextInt(1, 129); // the producer needs a Cluster listing each partition
            Cluster cluster = Topics.withPartitions(numPartitions);
            for (int k = 0; k < 5; k++) {
                String key = RandomKeys.string(random);
                byte[] serialized = serializer.serialize(TOPIC, key);
                Optional<Set<Integer>> expected = Optional.of(Set.of(ConsistentHashPartitioner.partitionFor(key, numPartitions)));

                assertThat(Optional.of(Set.of(partitioner.partition(TOPIC, key, serialized, null, null, cluster))))
                    .as("producer, \"%s\" over %d", key, numPartitions).isEqualTo(expected);
                assertThat(Optional.of(Set.of(partitioner.partition(TOPIC, serialized, serialized, null, null, cluster))))
                    .as("producer, byte[] of \"%s\" over %d", key, numPartitions).isEqualTo(expected);
                assertThat(partitioner.partitions(TOPIC, key, null, numPartitions))
                    .as("streams, \"%s\" over %d", key, numPartitions).isEqualTo(expected);
                assertThat(partitioner.partitions(TOPIC, new Utf8(key), null, numPartitions))
                    .as("streams, Utf8 \"%s\" over %d", key, numPartitions).isEqualTo(expected);
                assertThat(partitioner.partitions(TOPIC, Bytes.wrap(serialized), null, numPartitions))
                    .as("streams, Bytes of \"%s\" over %d", key, numPartitions).isEqualTo(expected);
                assertThat(Optional.of(Set.of(ConsistentHashPartitioner.partitionFor(serialized, numPartitions))))
                    .as("partitionFor(byte[]), \"%s\" over %d", key, numPartitions).isEqualTo(expected);
            }
        }
    }
}
