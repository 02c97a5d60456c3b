/**
 * Key-to-partition routing shared by producers, Kafka Streams sinks and interactive queries:
 * {@link io.kvpipe.producers.partitioner.ConsistentHashPartitioner}.
 */
package io.kvpipe.producers.partitioner;
