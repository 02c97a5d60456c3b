package io.kvpipe.app.topology;

import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * A test seam: wraps each sink's partitioner, so a test can ask it what it would choose for a
 * topic of a realistic size (the test driver gives every topic one partition).
 */
interface SinkPartitioners {

    /** Production: the partitioners as they are. */
    SinkPartitioners AS_IS = new SinkPartitioners() {
        @Override
        public <K, V> StreamPartitioner<K, V> wrap(String sinkName, StreamPartitioner<K, V> partitioner) {
            return partitioner;
        }
    };

    <K, V> StreamPartitioner<K, V> wrap(String sinkName, StreamPartitioner<K, V> partitioner);
}
