package io.kvpipe.app.bank;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * What the in-JVM Kafka Streams instances hold, read through interactive queries: which
 * partitions each holds as primary (active task) and replica (standby task), and the contents of a
 * key-value store's copy of one partition.
 */
final class StoreViews {

    private StoreViews() {}

    /** The partitions {@code streams} holds as active tasks (all subtopologies). */
    static Set<Integer> activePartitions(KafkaStreams streams) {
        Set<Integer> partitions = new TreeSet<>();
        streams.metadataForLocalThreads().forEach(t -> t.activeTasks().forEach(task -> partitions.add(task.taskId().partition())));
        return partitions;
    }

    /** The partitions {@code streams} holds as standby tasks. */
    static Set<Integer> standbyPartitions(KafkaStreams streams) {
        Set<Integer> partitions = new TreeSet<>();
        streams.metadataForLocalThreads().forEach(t -> t.standbyTasks().forEach(task -> partitions.add(task.taskId().partition())));
        return partitions;
    }

    /**
     * Whether, in the group's assignment as {@code streams} sees it, exactly {@code clients}
     * instances hold tasks, every one of the {@code partitions} partitions of {@code topic} has a
     * primary, and (if {@code standbys}) a replica on another instance.
     */
    static boolean assignmentComplete(KafkaStreams streams, String topic, int partitions, int clients, boolean standbys) {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return false;
        }
        Collection<StreamsMetadata> all = streams.metadataForAllStreamsClients();
        if (all.size() != clients) {
            return false;
        }
        Set<Integer> active = new TreeSet<>();
        Set<Integer> standby = new TreeSet<>();
        for (StreamsMetadata m : all) {
            if (m.topicPartitions().stream().noneMatch(tp -> tp.topic().equals(topic))) {
                return false;
            }
            m.topicPartitions().stream().filter(tp -> tp.topic().equals(topic)).forEach(tp -> active.add(tp.partition()));
            m.standbyTopicPartitions().stream().filter(tp -> tp.topic().equals(topic)).forEach(tp -> standby.add(tp.partition()));
        }
        return active.size() == partitions && (!standbys || standby.size() == partitions);
    }

    /** A one-line picture of the assignment {@code streams} sees, for failure messages. */
    static String describeAssignment(KafkaStreams streams, String topic) {
        List<String> parts = new ArrayList<>();
        for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
            parts.add(m.hostInfo().host() + ":" + m.hostInfo().port() + " primary "
                    + partitionsOf(m.topicPartitions(), topic) + " replica " + partitionsOf(m.standbyTopicPartitions(), topic));
        }
        return streams.state() + " " + parts;
    }

    private static Set<Integer> partitionsOf(Set<org.apache.kafka.common.TopicPartition> tps, String topic) {
        Set<Integer> out = new TreeSet<>();
        tps.stream().filter(tp -> tp.topic().equals(topic)).forEach(tp -> out.add(tp.partition()));
        return out;
    }

    /**
     * Every entry of the key-value store {@code store} for partition {@code p} on {@code streams},
     * from its active copy or (with {@code standby}) its standby copy.
     *
     * @throws org.apache.kafka.streams.errors.UnknownStateStoreException if the topology has no such store
     */
    static Map<String, Object> contents(KafkaStreams streams, String store, int p, boolean standby) {
        StoreQueryParameters<ReadOnlyKeyValueStore<String, Object>> params = StoreQueryParameters
                .fromNameAndType(store, QueryableStoreTypes.<String, Object>keyValueStore())
                .withPartition(p);
        if (standby) {
            params = params.enableStaleStores();
        }
        Map<String, Object> all = new TreeMap<>();
        try (KeyValueIterator<String, Object> it = streams.store(params).all()) {
            while (it.hasNext()) {
                KeyValue<String, Object> kv = it.next();
                all.put(kv.key, kv.value);
            }
        }
        return all;
    }
}
