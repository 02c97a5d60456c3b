package io.kvpipe.benchmarks;

import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Utils;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Partition lookups per second: ours against Kafka's default {@code toPositive(murmur2(bytes)) % n},
 * on the same 64k pre-generated UUID keys over 64 partitions.
 *
 * <p>{@code partitionForString} includes the UTF-8 encoding of the key; {@code partitionForBytes}
 * and {@code kafkaMurmur2Mod} start from the encoded bytes, as a producer's partitioner does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PartitionerBenchmark {

    private static final int PARTITIONS = 64;
    private static final int KEY_MASK = RandomKeys.LOOKUP_KEYS - 1;

    private String[] keys;
    private byte[][] keyBytes;
    private int next;

    @Setup
    public void generateKeys() {
        keys = RandomKeys.uuids(RandomKeys.LOOKUP_KEYS);
        keyBytes = new byte[keys.length][];
        for (int i = 0; i < keys.length; i++) {
            keyBytes[i] = keys[i].getBytes(StandardCharsets.UTF_8);
        }
    }

    @Benchmark
    public int partitionForString() {
        return ConsistentHashPartitioner.partitionFor(keys[next++ & KEY_MASK], PARTITIONS);
    }

    @Benchmark
    public int partitionForBytes() {
        return ConsistentHashPartitioner.partitionFor(keyBytes[next++ & KEY_MASK], PARTITIONS);
    }

    @Benchmark
    public int kafkaMurmur2Mod() {
        return Utils.toPositive(Utils.murmur2(keyBytes[next++ & KEY_MASK])) % PARTITIONS;
    }
}
