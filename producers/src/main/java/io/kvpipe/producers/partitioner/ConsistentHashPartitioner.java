package io.kvpipe.producers.partitioner;

import io.kvpipe.producers.partitioner.internals.JumpConsistentHash;
import io.kvpipe.producers.partitioner.internals.KeyBytes;
import io.kvpipe.producers.partitioner.internals.KeyHash;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Routes a key to its partition with Jump Consistent Hash over the first 64 bits of
 * MurmurHash3_x64_128 (seed 0) of the key bytes.
 *
 * <p>One class serves every party that must agree on where a key lives: producers
 * ({@code partitioner.class}), Kafka Streams sinks ({@code Produced.streamPartitioner}) and
 * interactive queries ({@code KafkaStreams.queryMetadataForKey(store, key, partitioner)}). Growing a
 * topic from {@code n} to {@code n + 1} partitions moves about {@code 1/(n + 1)} of the keys, all to
 * the new partition {@code n}; Kafka's default {@code murmur2 % n} moves almost all of them.
 *
 * <p>{@code Repartitioned.streamPartitioner} wants exactly {@code StreamPartitioner<K, V>}; pass
 * {@code partitioner::partitions} there.
 *
 * <p>Key bytes: a {@link CharSequence} (String, Avro {@code Utf8}) is hashed over its UTF-8 bytes, a
 * {@code byte[]} or {@link org.apache.kafka.common.utils.Bytes} over its bytes as they are. The
 * class is stateless and thread-safe.
 */
public class ConsistentHashPartitioner implements Partitioner, StreamPartitioner<Object, Object> {

    /** Kafka instantiates the partitioner reflectively through this constructor. */
    public ConsistentHashPartitioner() {
    }

    /**
     * Returns the partition of a string key: Jump Consistent Hash of h1 of MurmurHash3_x64_128
     * (seed 0) over the key's UTF-8 bytes.
     *
     * @param key           the key, not null
     * @param numPartitions the partition count, at least 1
     * @return a partition in {@code [0, numPartitions)}
     * @throws IllegalArgumentException if the key is null or {@code numPartitions < 1}
     */
    public static int partitionFor(String key, int numPartitions) {
        requireKey(key);
        return partitionFor(key.getBytes(StandardCharsets.UTF_8), numPartitions);
    }

    /**
     * Returns the partition of a key given as bytes: Jump Consistent Hash of h1 of
     * MurmurHash3_x64_128 (seed 0) over the bytes.
     *
     * @param key           the key bytes, not null
     * @param numPartitions the partition count, at least 1
     * @return a partition in {@code [0, numPartitions)}
     * @throws IllegalArgumentException if the key is null or {@code numPartitions < 1}
     */
    public static int partitionFor(byte[] key, int numPartitions) {
        requirePartitions(numPartitions);
        requireKey(key);
        return JumpConsistentHash.bucket(KeyHash.of(key), numPartitions);
    }

    /**
     * Producer routing ({@code partitioner.class}). The key object decides when it is a
     * {@link CharSequence}, {@code byte[]} or {@code Bytes}, so the partition does not depend on the
     * serializer; a key of another type is routed by its serialized {@code keyBytes}.
     *
     * <p>A null key is rejected with {@link IllegalArgumentException}, which
     * {@code KafkaProducer.send} throws to its caller. Since KIP-794 (Kafka 3.3) a custom partitioner
     * cannot hand a record back to the built-in sticky partitioning: a negative return value also
     * makes {@code send} throw {@code IllegalArgumentException}, so an explicit message is clearer.
     *
     * @return the partition of the key among all partitions of {@code topic}
     * @throws IllegalArgumentException if the key is null, a key of another type serialized to null,
     *                                  or the topic has no partitions
     */
    @Override
    public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes,
                         Cluster cluster) {
        requireKey(key);
        // All partitions, available or not: a key must not wander while a leader is down.
        int numPartitions = cluster.partitionsForTopic(topic).size();
        byte[] routingBytes = KeyBytes.of(key);
        if (routingBytes == null) {
            routingBytes = keyBytes;
            if (routingBytes == null) {
                throw new IllegalArgumentException("key of type " + key.getClass().getName()
                    + " serialized to null and cannot be routed");
            }
        }
        return partitionFor(routingBytes, numPartitions);
    }

    /**
     * Kafka Streams routing, for sinks and for {@code KafkaStreams.queryMetadataForKey}; gives the
     * same partition as {@link #partitionFor(String, int)} and the producer path.
     *
     * <p>A null key yields {@link Optional#empty()}, which Kafka Streams treats as "use the default
     * partitioning" (what its own default partitioner answers for a null key); queries reject null
     * keys before calling the partitioner.
     *
     * @return a singleton set with the key's partition, or empty for a null key
     * @throws IllegalArgumentException if {@code numPartitions < 1} or the key is not a
     *                                  {@link CharSequence}, {@code byte[]} or {@code Bytes}
     */
    @Override
    public Optional<Set<Integer>> partitions(String topic, Object key, Object value, int numPartitions) {
        requirePartitions(numPartitions);
        if (key == null) {
            return Optional.empty();
        }
        byte[] routingBytes = KeyBytes.of(key);
        if (routingBytes == null) {
            // No serializer here: guessing a byte form could silently disagree with the producers.
            throw new IllegalArgumentException("cannot route key of type " + key.getClass().getName()
                + ": use a String, CharSequence, byte[] or Bytes key");
        }
        return Optional.of(Set.of(partitionFor(routingBytes, numPartitions)));
    }

    /** Nothing to configure. */
    @Override
    public void configure(Map<String, ?> configs) {
    }

    /** Nothing to release. */
    @Override
    public void close() {
    }

    private static void requireKey(Object key) {
        if (key == null) {
            throw new IllegalArgumentException("null keys cannot be routed");
        }
    }

    private static void requirePartitions(int numPartitions) {
        if (numPartitions < 1) {
            throw new IllegalArgumentException("numPartitions must be at least 1, was " + numPartitions);
        }
    }
}
