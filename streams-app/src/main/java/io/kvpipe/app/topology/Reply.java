package io.kvpipe.app.topology;

import io.kvpipe.avro.ReplyTo;
import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * A results-topic value on its way, with the partition it is addressed to. A
 * {@link StreamPartitioner} sees only the record's key and value, so the reply partition travels
 * with the value; {@link Wire} writes only the value, so the bytes on the topic are exactly an
 * {@code Outcome} or an {@code OutcomeBatch} (see {@code ResultsValue}) in the Confluent wire format.
 *
 * @param value     the value, encoded already (by {@code BatchValueWriter}, or as remembered for dedup)
 * @param partition the client's reply partition, or {@link #NO_REPLY_PARTITION}
 */
record Reply(byte[] value, int partition) {

    /** The request named no reply partition (fire-and-forget). */
    static final int NO_REPLY_PARTITION = -1;

    static Reply to(ReplyTo replyTo, byte[] value) {
        return new Reply(value, partitionOf(replyTo));
    }

    private static int partitionOf(ReplyTo replyTo) {
        return replyTo == null ? NO_REPLY_PARTITION : replyTo.getPartition();
    }

    /** Writes a reply's value as it is. */
    static final class Wire implements Serializer<Reply> {

        @Override
        public byte[] serialize(String topic, Reply reply) {
            return reply == null ? null : reply.value();
        }
    }

    /**
     * Sends a reply to its reply partition. When the request named none, or one the results topic
     * does not have (a client configured for another topic size), the reply goes where its key (the
     * request id; a batch's: the client id) hashes ({@link ConsistentHashPartitioner}), as for a
     * fire-and-forget request: a client following the whole results topic still sees it, and
     * nothing is dead-lettered for it.
     */
    static final class Router implements StreamPartitioner<String, Reply> {

        @Override
        public Optional<Set<Integer>> partitions(String topic, String key, Reply reply, int numPartitions) {
            if (reply != null && reply.partition() >= 0 && reply.partition() < numPartitions) {
                return Optional.of(Set.of(reply.partition()));
            }
            return Optional.of(Set.of(ConsistentHashPartitioner.partitionFor(key, numPartitions)));
        }
    }
}
