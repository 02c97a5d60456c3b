package io.kvpipe.app.topics;

import io.kvpipe.app.StartupException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the pipeline's topics at start, or checks the ones already there, and waits until every
 * partition has a leader: an idempotent producer that writes to a partition before its leader is
 * known can fall into NOT_LEADER / OUT_OF_ORDER_SEQUENCE retry storms.
 */
public final class TopicProvisioner {

    private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Admin admin;
    private final MetadataWait metadataWait = MetadataWait.system();

    public TopicProvisioner(Admin admin) {
        this.admin = admin;
    }

    /** One topic to ensure: its name, partitions, replication factor (empty: the broker default), configs. */
    public record TopicSpec(String name, int partitions, Optional<Short> replicationFactor, Map<String, String> configs) {}

    /**
     * Creates the missing topics and waits for their leaders.
     *
     * @return each topic's partition count, in the order of {@code specs}
     * @throws StartupException if a topic cannot be created, an existing one has a different partition
     *     count than asked (co-partitioning would break), or leaders do not appear within 30 s
     */
    public Map<String, Integer> ensure(List<TopicSpec> specs) {
        List<NewTopic> missing = new ArrayList<>();
        Set<String> existing = call("list topics", admin.listTopics().names());
        for (TopicSpec spec : specs) {
            if (!existing.contains(spec.name())) {
                missing.add(new NewTopic(spec.name(), Optional.of(spec.partitions()), spec.replicationFactor())
                        .configs(spec.configs()));
            }
        }
        if (!missing.isEmpty()) {
            try {
                admin.createTopics(missing).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                missing.forEach(t -> log.info("Created topic {} ({} partitions)", t.name(), t.numPartitions()));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new StartupException("cannot create topics: " + e.getCause().getMessage(), e.getCause());
                }
            } catch (InterruptedException | TimeoutException e) {
                throw interruptedOrTimedOut("create topics", e);
            }
        }
        return awaitLeaders(specs);
    }

    private Map<String, Integer> awaitLeaders(List<TopicSpec> specs) {
        List<String> names = specs.stream().map(TopicSpec::name).toList();
        Map<String, TopicDescription> descriptions;
        try {
            descriptions = metadataWait.until(() -> {
                Map<String, TopicDescription> known = describeWhenKnown(names);
                boolean allLed = known != null && known.values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .map(TopicPartitionInfo::leader)
                        .allMatch(leader -> leader != null && !leader.isEmpty());
                return allLed ? known : null;
            }, TIMEOUT).orElseThrow(() -> new StartupException(
                    "topic partitions have no leader after " + TIMEOUT.toSeconds() + " s"));
        } catch (InterruptedException e) {
            throw interruptedOrTimedOut("wait for partition leaders", e);
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (TopicSpec spec : specs) {
            int actual = descriptions.get(spec.name()).partitions().size();
            counts.put(spec.name(), actual);
            if (actual != spec.partitions()) {
                throw new StartupException("topic " + spec.name() + " has " + actual + " partitions, but "
                        + spec.partitions() + " are configured: use --partitions " + actual
                        + " or a new --topic-prefix");
            }
        }
        return counts;
    }

    /** The topics' descriptions, or null while the broker does not know them all yet (just created). */
    private Map<String, TopicDescription> describeWhenKnown(List<String> names) {
        try {
            return admin.describeTopics(names).allTopicNames().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RetriableException) {
                return null;
            }
            throw new StartupException("cannot describe topics: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw interruptedOrTimedOut("describe topics", e);
        }
    }

    private static <T> T call(String what, org.apache.kafka.common.KafkaFuture<T> future) {
        try {
            return future.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new StartupException("cannot " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw interruptedOrTimedOut(what, e);
        }
    }

    private static StartupException interruptedOrTimedOut(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new StartupException("interrupted while trying to " + what);
        }
        return new StartupException("Kafka did not answer within " + TIMEOUT.toSeconds() + " s when asked to " + what);
    }
}
