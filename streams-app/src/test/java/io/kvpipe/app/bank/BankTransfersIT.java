package io.kvpipe.app.bank;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.producers.client.KvClient;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bank workload on a real broker with three streams-app instances: 1,000 accounts over 8
 * partitions, random transfers (a guarded debit and a credit in one transaction, mostly across
 * partitions) from several clients for a minute, then the books are checked: the money is all
 * there, nothing is negative, the changes topic holds exactly the committed transfers with both
 * legs and replays to the balances, no lock or transaction state is left, and every replica
 * equals its primary.
 *
 * <p>System properties: {@code bank.seconds} (default 60), {@code bank.clients} (4),
 * {@code bank.inFlight} per client (8), {@code bank.crossShare} (0.9: the share of transfers between
 * partitions), {@code bank.txnTimeoutSeconds} (the server's default transaction timeout, 5),
 * {@code bank.seed}.
 */
class BankTransfersIT {

    static final int PARTITIONS = 8;
    static final int ACCOUNTS = 1000;

    @TempDir
    Path dir;

    private BankCluster cluster;

    @AfterEach
    void stopAll() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void randomTransfersBetweenPartitionsKeepTheBooksBalancedOnEveryReplica() throws Exception {
        BankSettings settings = BankSettings.fromSystemProperties();
        // Every transaction ends within the server's transaction timeout plus 10 s.
        Duration bound = Duration.ofSeconds(settings.txnTimeoutSeconds() + 10);
        try (PrintStream out = BankSettings.report("BankTransfersIT")) {
            out.println(settings);

            // Given: three instances (standby replicas 1) and 1,000 seeded accounts on all 8 partitions
            cluster = BankCluster.start(dir, PARTITIONS);
            for (String name : List.of("a", "b", "c")) {
                cluster.startInJvm(name);
            }
            cluster.awaitAssignment(3, Duration.ofSeconds(120));
            out.println("assignment: " + cluster.describeAssignment());
            Bank bank = new Bank(ACCOUNTS, PARTITIONS);
            assertThat(bank.accountsByPartition()).hasSize(PARTITIONS);
            List<KvClient> clients = cluster.newClients(settings.clients(), bound.plusSeconds(60));
            bank.seed(clients.get(0), Duration.ofSeconds(60));

            // When: the clients transfer money at random
            Bank.Workload workload = bank.new Workload(clients, settings.inFlight(), settings.crossShare(), settings.seed()).start();
            Thread.sleep(settings.duration().toMillis());
            Duration drainWait = bound.plusSeconds(30);
            boolean drained = workload.stopAndDrain(drainWait);
            int resent = bank.resolveUnknown(clients, Duration.ofSeconds(60));

            // Then: every transfer ended in time, and the books are right everywhere
            BankChecks checks = new BankChecks(bank, out);
            checks.drain(resent, drained, drainWait);
            checks.outcomes("BankTransfersIT: 3 in-JVM instances, " + PARTITIONS + " partitions, " + ACCOUNTS + " accounts",
                    workload.seconds(), bound);
            checks.timeline(workload.startNanos(), 5);
            BankVerification.balancesAndChanges(cluster, bank, checks);
            BankVerification.stores(cluster, checks, settings.crossShare() > 0);
            checks.assertAllPassed();
        }
    }
}
