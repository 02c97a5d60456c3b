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
 * @param outcome   what the client is told; its request id is the record key
 * @param partition the client's reply partition, or {@link #NO_REPLY_PARTITION}
 */
record Reply(Outcome outcome, int partition) {

    /** The request named no reply partition (fire-and-forget). */
    static final int NO_REPLY_PARTITION = -1;

    static Reply to(ReplyTo replyTo, Outcome outcome) {
        return new Reply(outcome, replyTo == null ? NO_REPLY_PARTITION : replyTo.getPartition());
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
            return reply == null ? null : outcomes.serialize(topic, reply.outcome());
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
