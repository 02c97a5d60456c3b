package io.kvpipe.producers.bench;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;

/**
 * Fresh topics for one bench run, created like the pipeline's and made ready: every partition has a
 * leader and has acknowledged one write. An idempotent producer that loads a partition right after
 * it was created can otherwise fall into NOT_LEADER / OUT_OF_ORDER_SEQUENCE retry storms.
 */
final class BenchTopics {

    /** Each topic holds this many warm-up records (one per partition) before the load. */
    static int warmUpRecords(int partitions) {
        return partitions;
    }

    private BenchTopics() {}

    private static void warmUp(Map<String, Object> clientConfig, int partitions, String... names) throws Exception {
        Map<String, Object> config = new java.util.HashMap<>(clientConfig);
        config.put("acks", "all");
        try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> producer =
                new org.apache.kafka.clients.producer.KafkaProducer<>(config,
                        new org.apache.kafka.common.serialization.ByteArraySerializer(),
                        new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            for (String name : names) {
                for (int p = 0; p < partitions; p++) {
                    producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(name, p, new byte[] {0},
                            new byte[] {0})).get(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    /**
     * Deletes a run's topics once it has measured them, so that repeated benches do not fill the
     * brokers' disks (on the embedded default, {@code ./data}: a default run writes about 140 MB of
     * scratch records). Best effort: a topic that cannot be deleted is named on standard error and
     * the run's figures stand.
     */
    static void delete(Map<String, Object> clientConfig, List<String> names) {
        bestEffort(clientConfig, "topics " + names, admin -> admin.deleteTopics(names).all());
    }

    /**
     * Deletes the consumer group of a run's peer app once it has left it, for the same reason as
     * {@link #delete}, and as best effort.
     */
    static void deleteGroup(Map<String, Object> clientConfig, String groupId) {
        bestEffort(clientConfig, "consumer group " + groupId, admin -> admin.deleteConsumerGroups(List.of(groupId)).all());
    }

    /** Runs one deletion, waiting up to 30 s; a failure is one line on standard error naming {@code what}. */
    private static void bestEffort(Map<String, Object> clientConfig, String what,
                                   java.util.function.Function<Admin, KafkaFuture<Void>> deletion) {
        try (Admin admin = Admin.create(clientConfig)) {
            deletion.apply(admin).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            System.err.println("kvpipe bench: could not delete its scratch " + what + ": " + e);
        }
    }

    static void create(Map<String, Object> clientConfig, int partitions, String... names) throws Exception {
        try (Admin admin = Admin.create(clientConfig)) {
            admin.createTopics(java.util.Arrays.stream(names)
                    .map(n -> new NewTopic(n, Optional.of(partitions), Optional.empty())).toList())
                    .all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                Map<String, TopicDescription> topics;
                try {
                    topics = admin.describeTopics(List.of(names)).allTopicNames().get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof org.apache.kafka.common.errors.RetriableException) {
                        Thread.sleep(50); // just created: the broker does not know them yet
                        continue;
                    }
                    throw e;
                }
                if (topics.values().stream().flatMap(t -> t.partitions().stream()).allMatch(p -> p.leader() != null)) {
                    warmUp(clientConfig, partitions, names);
                    return;
                }
                Thread.sleep(50);
            }
            throw new IllegalStateException("bench topics have no leaders after 30 s");
        }
    }
}
