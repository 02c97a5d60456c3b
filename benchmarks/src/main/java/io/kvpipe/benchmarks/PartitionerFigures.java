package io.kvpipe.benchmarks;

import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.kafka.common.utils.Utils;

/**
 * Prints balance and movement figures for our partitioner beside Kafka's default
 * {@code toPositive(murmur2(bytes)) % n}, over 1,000,000 reproducible random UUID keys.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.kvpipe.benchmarks.PartitionerFigures}
 */
public final class PartitionerFigures {

    private static final int KEYS = 1_000_000;
    private static final int BALANCE_PARTITIONS = 64;
    private static final int[] GROWTH_FROM = {8, 16, 32, 64, 100};

    /** A key-to-partition function under comparison. */
    private interface Strategy {
        int partition(byte[] key, int numPartitions);
    }

    private static final Strategy OURS = ConsistentHashPartitioner::partitionFor;
    private static final Strategy MURMUR2_MOD_N = (key, n) -> Utils.toPositive(Utils.murmur2(key)) % n;

    private PartitionerFigures() {
    }

    public static void main(String[] args) {
        byte[][] keys = utf8(RandomKeys.uuids(KEYS));
        System.out.printf(Locale.ROOT, "%,d random UUID keys; ours = jump(murmur3_x64_128 h1), kafka = toPositive(murmur2) %% N%n%n", KEYS);

        double mean = (double) KEYS / BALANCE_PARTITIONS;
        System.out.printf(Locale.ROOT, "Balance over %d partitions (mean %.1f keys per partition)%n", BALANCE_PARTITIONS, mean);
        System.out.printf(Locale.ROOT, "%-8s %9s %9s%n", "", "max/mean", "min/mean");
        printBalance("ours", loads(keys, OURS), mean);
        printBalance("kafka", loads(keys, MURMUR2_MOD_N), mean);

        System.out.printf(Locale.ROOT, "%nGrowing from N to N+1 partitions: share of keys moved, ratio to the ideal 1/(N+1),"
            + " share of moved keys that went to the new partition N%n");
        System.out.printf(Locale.ROOT, "%4s %8s | %8s %7s %8s | %8s %7s %8s%n",
            "N", "ideal", "ours", "ratio", "to new", "kafka", "ratio", "to new");
        for (int n : GROWTH_FROM) {
            Movement ours = Movement.of(keys, OURS, n);
            Movement kafka = Movement.of(keys, MURMUR2_MOD_N, n);
            double ideal = 1.0 / (n + 1);
            System.out.printf(Locale.ROOT, "%4d %8.4f | %8.4f %7.3f %8.4f | %8.4f %7.3f %8.4f%n", n, ideal,
                ours.movedShare(), ours.movedShare() / ideal, ours.toNewShare(),
                kafka.movedShare(), kafka.movedShare() / ideal, kafka.toNewShare());
        }
    }

    private static byte[][] utf8(String[] keys) {
        byte[][] bytes = new byte[keys.length][];
        for (int i = 0; i < keys.length; i++) {
            bytes[i] = keys[i].getBytes(StandardCharsets.UTF_8);
        }
        return bytes;
    }

    private static int[] loads(byte[][] keys, Strategy strategy) {
        int[] load = new int[BALANCE_PARTITIONS];
        for (byte[] key : keys) {
            load[strategy.partition(key, BALANCE_PARTITIONS)]++;
        }
        return load;
    }

    private static void printBalance(String name, int[] load, double mean) {
        int max = Integer.MIN_VALUE;
        int min = Integer.MAX_VALUE;
        for (int l : load) {
            max = Math.max(max, l);
            min = Math.min(min, l);
        }
        System.out.printf(Locale.ROOT, "%-8s %9.4f %9.4f%n", name, max / mean, min / mean);
    }

    /** Keys moved going from n to n + 1 partitions, and how many of them landed on partition n. */
    private record Movement(int keys, int moved, int movedToNew) {

        static Movement of(byte[][] keys, Strategy strategy, int n) {
            int moved = 0;
            int movedToNew = 0;
            for (byte[] key : keys) {
                int before = strategy.partition(key, n);
                int after = strategy.partition(key, n + 1);
                if (before != after) {
                    moved++;
                    if (after == n) {
                        movedToNew++;
                    }
                }
            }
            return new Movement(keys.length, moved, movedToNew);
        }

        double movedShare() {
            return (double) moved / keys;
        }

        double toNewShare() {
            return moved == 0 ? 0 : (double) movedToNew / moved;
        }
    }
}
