package io.kvpipe.app.query;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * {@link KeyLocator} from {@link KafkaStreams#queryMetadataForKey(String, Object, StreamPartitioner)}
 * with the pipeline's partitioner, so a key is looked for in the partition its writes went to.
 */
public final class StreamsKeyLocator implements KeyLocator {

    private final KafkaStreams streams;
    private final String storeName;
    private final StreamPartitioner<? super String, ?> partitioner;

    public StreamsKeyLocator(KafkaStreams streams, String storeName, StreamPartitioner<? super String, ?> partitioner) {
        this.streams = streams;
        this.storeName = storeName;
        this.partitioner = partitioner;
    }

    @Override
    public KeyLocation locate(String key) {
        KeyQueryMetadata metadata;
        try {
            metadata = streams.queryMetadataForKey(storeName, key, partitioner);
        } catch (RuntimeException e) {
            // Not started, shutting down, or in error: there is no metadata to route with.
            return KeyLocation.unavailable("Kafka Streams is " + streams.state() + " here");
        }
        if (metadata == null) {
            return KeyLocation.unavailable("the topology has no store named " + storeName);
        }
        if (metadata.equals(KeyQueryMetadata.NOT_AVAILABLE) || metadata.partition() < 0) {
            return KeyLocation.unavailable("the partitions are being (re)assigned");
        }
        boolean noActive = metadata.activeHost() == null || metadata.activeHost().port() < 0;
        return KeyLocation.of(metadata.partition(), noActive ? null : metadata.activeHost(), metadata.standbyHosts());
    }
}
