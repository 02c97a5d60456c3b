package io.kvpipe.app.topology;

import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.ReplyTo;
import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import io.kvpipe.schemas.registry.SchemaRegistryClient;
import io.kvpipe.schemas.serde.AvroSerializer;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * An outcome on its way to the results topic, with the partition it is addressed to. A
 * {@link StreamPartitioner} sees only the record's key and value, so the reply partition travels
 * with the value; {@link Wire} writes only the outcome, so the bytes on the topic are exactly an
 * {@code Outcome} in the Confluent wire format.
 *
 * @param outcome   what the client is told (its request id is the record key), or null when
 *                  {@code encoded} holds it already
 * @param encoded   the outcome already in the results topic's wire format (as remembered for dedup),
 *                  written as it is; or null
 * @param partition the client's reply partition, or {@link #NO_REPLY_PARTITION}
 */
record Reply(Outcome outcome, byte[] encoded, int partition) {

    Reply(Outcome outcome, int partition) {
        this(outcome, null, partition);
    }

    /** The request named no reply partition (fire-and-forget). */
    static final int NO_REPLY_PARTITION = -1;

    static Reply to(ReplyTo replyTo, Outcome outcome) {
        return new Reply(outcome, null, partitionOf(replyTo));
    }

    /** An outcome encoded already for the results topic (by {@link Wire#encode}). */
    static Reply encoded(ReplyTo replyTo, byte[] outcome) {
        return new Reply(null, outcome, partitionOf(replyTo));
    }

    private static int partitionOf(ReplyTo replyTo) {
        return replyTo == null ? NO_REPLY_PARTITION : replyTo.getPartition();
    }

    /** Serializes a reply as its outcome alone. */
    static final class Wire implements Serializer<Reply> {

        private final AvroSerializer<Outcome> outcomes;

        Wire(SchemaRegistryClient registry) {
            this.outcomes = new AvroSerializer<>(registry, false);
        }

        @Override
        public void configure(Map<String, ?> configs, boolean isKey) {
            outcomes.configure(configs, isKey);
        }

        @Override
        public byte[] serialize(String topic, Reply reply) {
            if (reply == null) {
                return null;
            }
            return reply.encoded() != null ? reply.encoded() : outcomes.serialize(topic, reply.outcome());
        }

        /** {@code outcome} as this serializer writes it to {@code topic}. */
        byte[] encode(String topic, Outcome outcome) {
            return outcomes.serialize(topic, outcome);
        }

        @Override
        public void close() {
            outcomes.close();
        }
    }

    /**
     * Sends a reply to its reply partition. When the request named none, or one the results topic
     * does not have (a client configured for another topic size), the reply goes where the request
     * id hashes ({@link ConsistentHashPartitioner}), as for a fire-and-forget request: a client
     * following the whole results topic still sees it, and nothing is dead-lettered for it.
     */
    static final class Router implements StreamPartitioner<String, Reply> {

        @Override
        public Optional<Set<Integer>> partitions(String topic, String requestId, Reply reply, int numPartitions) {
            if (reply != null && reply.partition() >= 0 && reply.partition() < numPartitions) {
                return Optional.of(Set.of(reply.partition()));
            }
            return Optional.of(Set.of(ConsistentHashPartitioner.partitionFor(requestId, numPartitions)));
        }
    }
}
