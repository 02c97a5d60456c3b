package io.kvpipe.app.bank;

import io.kvpipe.producers.client.KvClient;
import io.kvpipe.producers.client.Op;
import io.kvpipe.producers.client.WriteResult;
import io.kvpipe.producers.partitioner.ConsistentHashPartitioner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The bank: accounts {@code acct-0000}... spread over the partitions by the pipeline's partitioner,
 * each seeded with the same balance, and a workload of random transfers, each one transaction of a
 * guarded debit ({@code add(from, -amount, floor 0)}) and a credit ({@code add(to, +amount)}). Every
 * request and the outcome its client saw is kept in a ledger, by request id, for the checks.
 */
final class Bank {

    static final long INITIAL_BALANCE = 1000;
    static final long MAX_AMOUNT = 250;

    private final List<String> accounts;
    private final Map<Integer, List<String>> byPartition = new TreeMap<>();
    private final int partitions;
    /** Seed request id by account. */
    private final Map<String, String> seeds = new ConcurrentHashMap<>();
    /** Transfers by request id, in the order they were started. */
    private final Map<String, Transfer> transfers = new ConcurrentHashMap<>();

    Bank(int accountCount, int partitions) {
        this.partitions = partitions;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < accountCount; i++) {
            String account = String.format("acct-%04d", i);
            names.add(account);
            byPartition.computeIfAbsent(ConsistentHashPartitioner.partitionFor(account, partitions), p -> new ArrayList<>())
                    .add(account);
        }
        this.accounts = Collections.unmodifiableList(names);
    }

    List<String> accounts() {
        return accounts;
    }

    Map<Integer, List<String>> accountsByPartition() {
        return byPartition;
    }

    int partitionOf(String account) {
        return ConsistentHashPartitioner.partitionFor(account, partitions);
    }

    long expectedTotal() {
        return INITIAL_BALANCE * accounts.size();
    }

    Map<String, String> seeds() {
        return seeds;
    }

    Map<String, Transfer> transfers() {
        return transfers;
    }

    /** Puts every account's initial balance, through {@code client}; waits until all committed. */
    void seed(KvClient client, Duration timeout) throws Exception {
        List<CompletableFuture<WriteResult>> futures = new ArrayList<>();
        for (String account : accounts) {
            String id = client.newRequestId();
            seeds.put(account, id);
            futures.add(client.submit(id, List.of(Op.put(account, Long.toString(INITIAL_BALANCE)))));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (CompletableFuture<WriteResult> f : futures) {
            WriteResult r = f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (!r.isCommitted()) {
                throw new AssertionError("seeding failed: " + r);
            }
        }
    }

    /**
     * For every transfer whose future failed (outcome unknown to its client), sends the same id and
     * ops again: the pipeline answers a known id with its first outcome (or applies it now, if it
     * never arrived), so the checks know what happened to it. Returns how many were resolved.
     */
    int resolveUnknown(List<KvClient> clients, Duration timeout) throws InterruptedException {
        int resolved = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Transfer t : transfers.values()) {
            if (t.result != null || !t.ended()) {
                continue;
            }
            try {
                t.resolved = clients.get(t.client).submit(t.requestId, t.ops())
                        .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                resolved++;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
                // stays unknown; outcomes() reports it
            }
        }
        return resolved;
    }

    /** One transfer: what was asked, when, and (once it ended) what the client saw. */
    static final class Transfer {
        final String requestId;
        final int client;
        final String from;
        final String to;
        final long amount;
        final int fromPartition;
        final int toPartition;
        final boolean crossPartition;
        final long startedNanos;
        volatile long endedNanos;
        volatile WriteResult result;
        volatile Throwable failure;
        /** The outcome learned by resending the id after the run, if the first future failed. */
        volatile WriteResult resolved;

        Transfer(String requestId, int client, String from, int fromPartition, String to, int toPartition, long amount,
                long startedNanos) {
            this.requestId = requestId;
            this.client = client;
            this.from = from;
            this.to = to;
            this.amount = amount;
            this.fromPartition = fromPartition;
            this.toPartition = toPartition;
            this.crossPartition = fromPartition != toPartition;
            this.startedNanos = startedNanos;
        }

        List<Op> ops() {
            return List.of(Op.add(from, -amount, 0), Op.add(to, amount));
        }

        boolean ended() {
            return endedNanos != 0;
        }

        /** The outcome the pipeline gave: the client's, or the one learned by resending. */
        WriteResult outcome() {
            return result != null ? result : resolved;
        }

        long latencyMillis() {
            return TimeUnit.NANOSECONDS.toMillis(endedNanos - startedNanos);
        }

        /** The change of {@code account}'s balance if this transfer committed. */
        long deltaOf(String account) {
            return account.equals(from) ? -amount : account.equals(to) ? amount : 0;
        }

        @Override
        public String toString() {
            return requestId + " " + from + " (p" + fromPartition + ") -> " + to + " (p" + toPartition + ") amount " + amount
                    + (result != null ? ": " + result : failure != null ? ": failed " + failure : ": pending");
        }
    }

    /**
     * Random transfers from several clients, each with up to {@code inFlight} requests pending, until
     * stopped; {@code crossShare} of them between accounts of different partitions, the rest within one.
     */
    final class Workload {
        private final List<KvClient> clients;
        private final int inFlight;
        private final double crossShare;
        private final long seed;
        private final AtomicBoolean stopping = new AtomicBoolean();
        private final List<Thread> drivers = new ArrayList<>();
        private final List<Semaphore> permits = new ArrayList<>();
        private volatile long startNanos;
        private volatile long stopNanos;

        Workload(List<KvClient> clients, int inFlight, double crossShare, long seed) {
            this.clients = clients;
            this.inFlight = inFlight;
            this.crossShare = crossShare;
            this.seed = seed;
        }

        Workload start() {
            startNanos = System.nanoTime();
            for (int c = 0; c < clients.size(); c++) {
                int clientIndex = c;
                Semaphore semaphore = new Semaphore(inFlight);
                permits.add(semaphore);
                Thread t = new Thread(() -> drive(clientIndex, semaphore, new Random(seed + clientIndex)), "bank-client-" + c);
                t.setDaemon(true);
                drivers.add(t);
                t.start();
            }
            return this;
        }

        private void drive(int clientIndex, Semaphore semaphore, Random random) {
            KvClient client = clients.get(clientIndex);
            while (!stopping.get()) {
                try {
                    if (!semaphore.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        continue;
                    }
                } catch (InterruptedException e) {
                    return;
                }
                if (stopping.get()) {
                    semaphore.release();
                    return;
                }
                boolean cross = random.nextDouble() < crossShare;
                String from = accounts.get(random.nextInt(accounts.size()));
                String to = pickOther(from, cross, random);
                long amount = 1 + random.nextInt((int) MAX_AMOUNT);
                Transfer transfer = new Transfer(client.newRequestId(), clientIndex, from, partitionOf(from), to,
                        partitionOf(to), amount, System.nanoTime());
                transfers.put(transfer.requestId, transfer);
                CompletableFuture<WriteResult> future;
                try {
                    future = client.submit(transfer.requestId, transfer.ops());
                } catch (RuntimeException e) {
                    future = CompletableFuture.failedFuture(e);
                }
                future.whenComplete((result, failure) -> {
                    transfer.result = result;
                    transfer.failure = failure;
                    transfer.endedNanos = System.nanoTime();
                    semaphore.release();
                });
            }
        }

        private String pickOther(String from, boolean cross, Random random) {
            int fromPartition = partitionOf(from);
            if (cross) {
                int p = random.nextInt(partitions - 1);
                if (p >= fromPartition) {
                    p++;
                }
                List<String> there = byPartition.get(p);
                return there.get(random.nextInt(there.size()));
            }
            List<String> here = byPartition.get(fromPartition);
            String to;
            do {
                to = here.get(random.nextInt(here.size()));
            } while (to.equals(from));
            return to;
        }

        /** Stops starting transfers and waits until every started one ended (its future completed). */
        boolean stopAndDrain(Duration timeout) throws InterruptedException {
            stopping.set(true);
            stopNanos = System.nanoTime();
            for (Thread t : drivers) {
                t.join(TimeUnit.SECONDS.toMillis(10));
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            for (Semaphore s : permits) {
                if (!s.tryAcquire(inFlight, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    return false;
                }
            }
            return true;
        }

        /** Seconds from start to stop (the time transfers were being started). */
        double seconds() {
            return (stopNanos - startNanos) / 1e9;
        }

        long startNanos() {
            return startNanos;
        }
    }
}
