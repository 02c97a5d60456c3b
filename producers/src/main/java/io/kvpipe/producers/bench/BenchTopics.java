package io.kvpipe.producers.bench;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;

/** Fresh topics for one bench run, created like the pipeline's and ready (every partition led). */
final class BenchTopics {

    private BenchTopics() {}

    static void create(Map<String, Object> clientConfig, int partitions, String... names) throws Exception {
        try (Admin admin = Admin.create(clientConfig)) {
            admin.createTopics(java.util.Arrays.stream(names)
                    .map(n -> new NewTopic(n, Optional.of(partitions), Optional.empty())).toList())
                    .all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                Map<String, TopicDescription> topics = admin.describeTopics(List.of(names)).allTopicNames()
                        .get(30, TimeUnit.SECONDS);
                if (topics.values().stream().flatMap(t -> t.partitions().stream()).allMatch(p -> p.leader() != null)) {
                    return;
                }
                Thread.sleep(50);
            }
            throw new IllegalStateException("bench topics have no leaders after 30 s");
        }
    }
}
