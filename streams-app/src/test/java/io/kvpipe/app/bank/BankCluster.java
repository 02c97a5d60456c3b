package io.kvpipe.app.bank;

import io.kvpipe.app.AppInstance;
import io.kvpipe.app.Environment;
import io.kvpipe.app.Pipeline;
import io.kvpipe.app.bank.BankChecks.Balance;
import io.kvpipe.app.bank.BankChecks.Change;
import io.kvpipe.app.topology.StoreNames;
import io.kvpipe.producers.client.KvClient;
import io.kvpipe.producers.client.KvClientConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.UnknownStateStoreException;

/**
 * The bank's cluster: one real in-JVM KRaft broker and schema registry, the pipeline provisioned
 * on them, streams-app instances in this JVM ({@link AppInstance}) and in their own processes
 * ({@link AppProcess}), and clients. Closing it stops everything, processes first (SIGKILL).
 */
final class BankCluster implements AutoCloseable {

    static final String APPLICATION_ID = "kv-app";
    static final String LOCKS = StoreNames.LOCKS;
    static final String TXNS = StoreNames.TXNS;
    static final String KV = StoreNames.KV;

    private final Path dir;
    private final int partitions;
    private final Environment environment;
    private final Pipeline pipeline;
    private final Map<String, Integer> ports = new HashMap<>();
    private final Map<String, AppInstance> inJvm = new LinkedHashMap<>();
    private final Map<String, AppProcess> processes = new LinkedHashMap<>();
    private final List<KvClient> clients = new ArrayList<>();

    private BankCluster(Path dir, int partitions, Environment environment, Pipeline pipeline) {
        this.dir = dir;
        this.partitions = partitions;
        this.environment = environment;
        this.pipeline = pipeline;
    }

    static BankCluster start(Path dir, int partitions) throws IOException {
        Environment environment = Environment.start(new Environment.Settings("localhost", freePort(), freePort(), freePort(),
                dir.resolve("broker"), false, null, null, Map.of()));
        try {
            return new BankCluster(dir, partitions, environment, Pipeline.provision(environment, "kv-", partitions, null));
        } catch (RuntimeException e) {
            environment.close();
            throw e;
        }
    }

    Environment environment() {
        return environment;
    }

    Pipeline pipeline() {
        return pipeline;
    }

    String requestsTopic() {
        return pipeline.topics().requests();
    }

    private int portOf(String name) {
        return ports.computeIfAbsent(name, n -> {
            try {
                return freePort();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Starts (or restarts, with the same state directory and port) an instance in this JVM. */
    AppInstance startInJvm(String name) {
        AppInstance instance = AppInstance.start(environment, pipeline, new AppInstance.Settings(APPLICATION_ID,
                "instance-" + name, "localhost", portOf(name), "localhost", dir.resolve("state-" + name), 1, 1));
        inJvm.put(name, instance);
        return instance;
    }

    /**
     * Starts (or restarts, with the same data directory and port) an instance as its own process,
     * its output appended to {@code target/bank-<name>.log}.
     */
    AppProcess startProcess(String name, Path logDir) throws IOException {
        AppProcess process = AppProcess.start(name, portOf(name), logDir.resolve("bank-" + name + ".log"), List.of(
                "--bootstrap-servers", environment.bootstrapServers(),
                "--schema-registry-url", environment.schemaRegistryUrl(),
                "--host", "localhost",
                "--http-port", Integer.toString(portOf(name)),
                "--data-dir", dir.resolve("process-" + name).toString(),
                "--application-id", APPLICATION_ID,
                "--partitions", Integer.toString(partitions),
                "--standby-replicas", "1",
                "--demo-writes", "0"));
        processes.put(name, process);
        return process;
    }

    AppProcess process(String name) {
        return processes.get(name);
    }

    List<KafkaStreams> inJvmStreams() {
        return inJvm.values().stream().map(AppInstance::streams).toList();
    }

    /** The query servers of every instance that runs. */
    List<String> queryUrls() {
        List<String> urls = new ArrayList<>(inJvm.values().stream().map(AppInstance::queryUrl).toList());
        processes.values().stream().filter(AppProcess::isAlive).forEach(p -> urls.add(p.queryUrl()));
        return urls;
    }

    /**
     * Waits until the group's assignment, as the first in-JVM instance sees it, has {@code clients}
     * instances with tasks, a primary and a replica for every partition, and every in-JVM instance
     * is RUNNING.
     */
    void awaitAssignment(int clients, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        KafkaStreams viewer = inJvmStreams().get(0);
        while (!(inJvmStreams().stream().allMatch(s -> s.state() == KafkaStreams.State.RUNNING)
                && StoreViews.assignmentComplete(viewer, requestsTopic(), partitions, clients, true))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no complete assignment over " + clients + " instances within " + timeout.toSeconds()
                        + " s: " + StoreViews.describeAssignment(viewer, requestsTopic()));
            }
            Thread.sleep(200);
        }
    }

    String describeAssignment() {
        return StoreViews.describeAssignment(inJvmStreams().get(0), requestsTopic());
    }

    /** {@code count} clients, {@code bank-client-0} and on, each waiting {@code requestTimeout} for an outcome. */
    List<KvClient> newClients(int count, Duration requestTimeout) {
        List<KvClient> made = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            made.add(newClient("bank-client-" + i, requestTimeout));
        }
        return made;
    }

    KvClient newClient(String id, Duration requestTimeout) {
        KvClient client = KvClient.create(KvClientConfig.builder()
                .bootstrapServers(environment.bootstrapServers())
                .schemaRegistryUrl(environment.schemaRegistryUrl())
                .clientId(id)
                .requestTimeout(requestTimeout)
                .build());
        clients.add(client);
        return client;
    }

    // ----------------------------------------------------------------------------------------------------------
    // Reading for the checks

    Map<String, Balance> readBalances(List<String> accounts) throws Exception {
        return BankChecks.readBalancesOverHttp(queryUrls(), accounts);
    }

    List<Change> readChanges(Bank bank, Duration timeout) {
        return BankChecks.readChanges(environment.clientConfig(), environment.schemaRegistryUrl(), pipeline.topics().changes(),
                changes -> allCommittedLegsPresent(bank, changes), timeout);
    }

    /** Whether every transfer whose outcome was COMMITTED has at least its two change events. */
    private static boolean allCommittedLegsPresent(Bank bank, List<Change> changes) {
        Map<String, Long> perRequest = changes.stream()
                .collect(Collectors.groupingBy(c -> c.event().getRequestId(), Collectors.counting()));
        return bank.transfers().values().stream()
                .filter(t -> t.outcome() != null && t.outcome().isCommitted())
                .allMatch(t -> perRequest.getOrDefault(t.requestId, 0L) >= 2);
    }

    /**
     * (5) The entries of {@code store} over every partition's primary, as the in-JVM instances hold
     * them (they must hold every primary); waits up to {@code timeout} for it to become empty.
     *
     * @return the entries left after waiting, keyed {@code p<partition>/<key>}; null if the
     *     topology has no such store
     */
    Map<String, Object> awaitStoreEmpty(String store, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<String, Object> entries;
            try {
                entries = primaryEntries(store);
            } catch (UnknownStateStoreException e) {
                return null;
            } catch (InvalidStateStoreException e) {
                entries = null; // rebalancing: try again
            }
            if (entries != null && (entries.isEmpty() || System.nanoTime() > deadline)) {
                return entries;
            }
            if (entries == null && System.nanoTime() > deadline) {
                throw new AssertionError("could not query store " + store + " within " + timeout.toSeconds() + " s: "
                        + describeAssignment());
            }
            Thread.sleep(250);
        }
    }

    private Map<String, Object> primaryEntries(String store) {
        Map<String, Object> entries = new TreeMap<>();
        Set<Integer> seen = new TreeSet<>();
        for (KafkaStreams streams : inJvmStreams()) {
            for (int p : StoreViews.activePartitions(streams)) {
                seen.add(p);
                StoreViews.contents(streams, store, p, false).forEach((k, v) -> entries.put("p" + p + "/" + k, v));
            }
        }
        if (seen.size() != partitions) {
            throw new InvalidStateStoreException("the in-JVM instances hold primaries of " + seen + " only");
        }
        return entries;
    }

    /**
     * (6) For every partition, its primary's and its replica's copy of {@code store}; waits up to
     * {@code timeout} until they are equal everywhere (replicas catch up asynchronously).
     *
     * @return per partition, [primary, replica] as last read
     */
    Map<Integer, List<Map<String, Object>>> awaitReplicasEqual(String store, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<Integer, List<Map<String, Object>>> last = null;
        while (true) {
            try {
                last = primaryAndReplicaCopies(store);
                boolean equal = last.values().stream().allMatch(pair -> pair.get(0).equals(pair.get(1)));
                if (equal) {
                    return last;
                }
            } catch (InvalidStateStoreException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not query " + store + " copies within " + timeout.toSeconds() + " s: "
                            + e.getMessage() + "; " + describeAssignment());
                }
            }
            if (System.nanoTime() > deadline && last != null) {
                return last;
            }
            Thread.sleep(500);
        }
    }

    private Map<Integer, List<Map<String, Object>>> primaryAndReplicaCopies(String store) {
        Map<Integer, List<Map<String, Object>>> copies = new TreeMap<>();
        for (int p = 0; p < partitions; p++) {
            Map<String, Object> primary = null;
            Map<String, Object> replica = null;
            for (KafkaStreams streams : inJvmStreams()) {
                if (StoreViews.activePartitions(streams).contains(p)) {
                    primary = StoreViews.contents(streams, store, p, false);
                } else if (StoreViews.standbyPartitions(streams).contains(p)) {
                    replica = StoreViews.contents(streams, store, p, true);
                }
            }
            if (primary == null || replica == null) {
                throw new InvalidStateStoreException("partition " + p + " has " + (primary == null ? "no primary" : "no replica")
                        + " in this JVM");
            }
            copies.put(p, List.of(primary, replica));
        }
        return copies;
    }

    @Override
    public void close() {
        for (KvClient client : clients) {
            try {
                client.close();
            } catch (RuntimeException e) {
                // teardown: go on
            }
        }
        processes.values().forEach(AppProcess::close);
        for (AppInstance instance : inJvm.values()) {
            try {
                instance.close();
            } catch (RuntimeException e) {
                // teardown: go on
            }
        }
        environment.close();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
