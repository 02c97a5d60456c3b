package io.kvpipe.app.bank;

import io.kvpipe.app.bank.BankChecks.Balance;
import io.kvpipe.app.bank.BankChecks.Change;
import io.kvpipe.app.topology.AppliedOffset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The bank's end-of-run checks, in the order they can be made. */
final class BankVerification {

    private BankVerification() {}

    /**
     * (3), (4), then (1), (2): reads the changes topic until every committed transfer has its legs
     * there (so every decision has been applied and committed), then every balance over HTTP.
     */
    static void balancesAndChanges(BankCluster cluster, Bank bank, BankChecks checks) throws Exception {
        long start = System.nanoTime();
        List<Change> changes = cluster.readChanges(bank, Duration.ofSeconds(30));
        Map<String, Balance> balances = cluster.readBalances(bank.accounts());
        checks.note(String.format("read the changes topic and %d balances in %.1f s", balances.size(),
                (System.nanoTime() - start) / 1e9));
        checks.balances(balances);
        checks.changes(changes, balances);
    }

    /**
     * (5) no lock held, no transaction state left (coordinators' txns); (6) every partition's
     * replica of the kv store (and of the others)
     * equals its primary. The in-JVM instances must hold every primary and replica.
     */
    static void stores(BankCluster cluster, BankChecks checks, boolean storesRequired) throws Exception {
        List<String> compared = new ArrayList<>(List.of(BankCluster.KV));
        for (String store : List.of(BankCluster.LOCKS, BankCluster.TXNS)) {
            Map<String, Object> left = cluster.awaitStoreEmpty(store, Duration.ofSeconds(30));
            if (left == null) {
                if (storesRequired) {
                    checks.failure("(5) the topology has no store '" + store + "' (no cross-partition transactions?)");
                } else {
                    checks.note("(5) the topology has no store '" + store + "': not checked");
                }
            } else {
                checks.storeEmpty("store '" + store + "' over every partition's primary", left);
                compared.add(store);
            }
        }
        // kv as asked; the others too: a replica holding a lock its primary released is as wrong.
        for (String store : compared) {
            long start = System.nanoTime();
            Map<Integer, List<Map<String, Object>>> copies = cluster.awaitReplicasEqual(store, Duration.ofSeconds(60));
            long keys = 0;
            for (Map.Entry<Integer, List<Map<String, Object>>> e : copies.entrySet()) {
                checks.replicaEqualsPrimary(store, e.getKey(), e.getValue().get(0), e.getValue().get(1));
                // (the kv store's AppliedOffset entry is compared, but it is not a key of data)
                keys += e.getValue().get(0).keySet().stream().filter(k -> !k.equals(AppliedOffset.KEY)).count();
            }
            checks.note(String.format("(6) compared the %s store's primary and replica of %d partitions (%d keys) after %.1f s",
                    store, copies.size(), keys, (System.nanoTime() - start) / 1e9));
        }
    }
}
