package io.kvpipe.app.bank;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.app.bank.Bank.Transfer;
import io.kvpipe.producers.client.KvClient;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bank workload while a streams-app instance is killed hard: two instances in this JVM and one
 * in its own process ({@code Launcher} with {@code java} from this JVM), which is killed with SIGKILL
 * (exit code 137: no shutdown hook, no close, no last commit) while transfers run, and started again
 * on the same data directory. The other instances carry on. Then the same checks as
 * {@link BankTransfersIT}, and: every transaction the clients started ended (committed or aborted)
 * within 60 s of its start, so within 60 s of the kill for those in flight when it came.
 *
 * <p>How the checks see the killed instance's partitions: the balances are read over HTTP while it
 * runs again (its own query server answers for its primaries); the stores (5, 6) are read through
 * interactive queries in this JVM, so at the end the process is stopped with SIGTERM and its
 * partitions move here, restored from their changelogs, before those checks.
 *
 * <p>The child's output goes to {@code target/bank-p.log}. System properties as for
 * {@link BankTransfersIT}; {@code bank.killAtSeconds} (default 30 % of the run, at least 10 s),
 * {@code bank.restartAfterSeconds} (15: after the group's 10 s session timeout, so p's partitions
 * fail over first).
 */
class BankTransfersKillIT {

    static final int PARTITIONS = 8;
    static final int ACCOUNTS = 1000;
    /** Every transaction ends within this of its start, kill or no kill. */
    static final Duration BOUND = Duration.ofSeconds(60);
    static final int SIGKILL_EXIT = 128 + 9;

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
    void transfersSurviveAnInstanceKilledHardAndRestartedMidRun() throws Exception {
        BankSettings settings = BankSettings.fromSystemProperties();
        long killAtSeconds = Long.getLong("bank.killAtSeconds", Math.max(10, settings.duration().toSeconds() * 3 / 10));
        long restartAfterSeconds = Long.getLong("bank.restartAfterSeconds", 15);
        try (PrintStream out = BankSettings.report("BankTransfersKillIT")) {
            out.println(settings + ", kill at " + killAtSeconds + " s (bank.killAtSeconds), restart " + restartAfterSeconds
                    + " s later (bank.restartAfterSeconds)");

            // Given: instances a and b in this JVM, p in its own process, 1,000 seeded accounts
            cluster = BankCluster.start(dir, PARTITIONS);
            cluster.startInJvm("a");
            cluster.startInJvm("b");
            AppProcess p = cluster.startProcess("p", BankSettings.targetDir());
            p.awaitUp(Duration.ofSeconds(120));
            cluster.awaitAssignment(3, Duration.ofSeconds(120));
            out.println("process p: pid " + p.pid() + ", " + p.queryUrl() + ", log " + p.log());
            out.println("assignment: " + cluster.describeAssignment());
            Bank bank = new Bank(ACCOUNTS, PARTITIONS);
            assertThat(bank.accountsByPartition()).hasSize(PARTITIONS);
            List<KvClient> clients = cluster.newClients(settings.clients(), BOUND.plusSeconds(60));
            bank.seed(clients.get(0), Duration.ofSeconds(60));

            // When: transfers run, p is killed with SIGKILL in the middle, and started again
            Bank.Workload workload = bank.new Workload(clients, settings.inFlight(), settings.crossShare(), settings.seed()).start();
            long start = workload.startNanos();
            sleepUntil(start + TimeUnit.SECONDS.toNanos(killAtSeconds));
            String assignmentAtKill = cluster.describeAssignment();
            long killNanos = System.nanoTime();
            List<Transfer> inFlightAtKill = bank.transfers().values().stream().filter(t -> !t.ended()).toList();
            int exit = p.kill();
            out.printf("killed p (pid %d) with SIGKILL at %.1f s: exit code %d, %d transfers in flight; assignment was %s%n",
                    p.pid(), seconds(start, killNanos), exit, inFlightAtKill.size(), assignmentAtKill);
            assertThat(exit).as("exit code of SIGKILL").isEqualTo(SIGKILL_EXIT);

            // Restart after the group's session timeout (10 s), so p's partitions first fail over to
            // their replicas here, under load, and then p's return is a second rebalance under load.
            sleepUntil(killNanos + TimeUnit.SECONDS.toNanos(restartAfterSeconds));
            out.printf("assignment at %.1f s, p dead: %s%n", seconds(start, System.nanoTime()), cluster.describeAssignment());
            long restartNanos = System.nanoTime();
            AppProcess restarted = cluster.startProcess("p", BankSettings.targetDir());
            restarted.awaitUp(Duration.ofSeconds(120));
            long upNanos = System.nanoTime();
            out.printf("restarted p (pid %d) at %.1f s on the same data directory; up at %.1f s%n",
                    restarted.pid(), seconds(start, restartNanos), seconds(start, upNanos));
            // Run on for at least 15 s with p back, so its return (a rebalance) also happens under load.
            sleepUntil(Math.max(start + settings.duration().toNanos(), upNanos + TimeUnit.SECONDS.toNanos(15)));
            Duration drainWait = BOUND.plusSeconds(30);
            boolean drained = workload.stopAndDrain(drainWait);
            int resent = bank.resolveUnknown(clients, Duration.ofSeconds(60));
            cluster.awaitAssignment(3, Duration.ofSeconds(120));
            out.println("assignment after the run: " + cluster.describeAssignment());

            // Then: every transaction ended within the bound, also those in flight at the kill
            BankChecks checks = new BankChecks(bank, out);
            checks.drain(resent, drained, drainWait);
            checks.outcomes("BankTransfersKillIT: 2 in-JVM instances + 1 process killed with SIGKILL and restarted, "
                    + PARTITIONS + " partitions, " + ACCOUNTS + " accounts", workload.seconds(), BOUND);
            checks.timeline(start, 5);
            inFlightAtKill(checks, out, inFlightAtKill, killNanos);

            // And: the books, with p serving its partitions again
            BankVerification.balancesAndChanges(cluster, bank, checks);

            // And: the stores, once p has handed its partitions to the instances in this JVM
            int stopExit = restarted.stop(Duration.ofSeconds(60));
            out.println("stopped p with SIGTERM: exit code " + stopExit);
            cluster.awaitAssignment(2, Duration.ofSeconds(120));
            out.println("assignment for the store checks: " + cluster.describeAssignment());
            BankVerification.stores(cluster, checks, settings.crossShare() > 0);
            checks.assertAllPassed();
        }
    }

    /** The transfers in flight when the kill came: all ended, within the bound of the kill. */
    private static void inFlightAtKill(BankChecks checks, PrintStream out, List<Transfer> inFlight, long killNanos) {
        long committed = inFlight.stream().filter(t -> t.result != null && t.result.isCommitted()).count();
        long ended = inFlight.stream().filter(Transfer::ended).count();
        long lastEndMs = inFlight.stream().filter(Transfer::ended)
                .mapToLong(t -> TimeUnit.NANOSECONDS.toMillis(t.endedNanos - killNanos)).max().orElse(0);
        out.printf("in flight at the kill: %d, ended %d (%d committed, %d not), the last %d ms after the kill (bound %d s)%n",
                inFlight.size(), ended, committed, ended - committed, lastEndMs, BOUND.toSeconds());
        List<Transfer> late = inFlight.stream()
                .filter(t -> !t.ended() || t.endedNanos - killNanos > BOUND.toNanos()).toList();
        if (!late.isEmpty()) {
            checks.failure("transfers in flight at the kill that did not end within " + BOUND.toSeconds() + " s of it: "
                    + late.size() + " e.g. " + late.stream().limit(10).toList());
        }
    }

    private static double seconds(long startNanos, long nanos) {
        return (nanos - startNanos) / 1e9;
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long left = nanos - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }
}
