package io.kvpipe.app.bank;

import io.kvpipe.app.topology.TopologySettings;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** The bank workload's knobs, from system properties so a developer can run it longer or harder. */
record BankSettings(Duration duration, int clients, int inFlight, double crossShare, int txnTimeoutSeconds, long seed) {

    static BankSettings fromSystemProperties() {
        return new BankSettings(
                Duration.ofSeconds(Long.getLong("bank.seconds", 60)),
                Integer.getInteger("bank.clients", 4),
                Integer.getInteger("bank.inFlight", 8),
                Double.parseDouble(System.getProperty("bank.crossShare", "0.9")),
                Integer.getInteger("bank.txnTimeoutSeconds",
                        (int) TopologySettings.DEFAULT_TRANSACTION_TIMEOUT.toSeconds()),
                Long.getLong("bank.seed", System.nanoTime()));
    }

    @Override
    public String toString() {
        return "bank settings: " + duration.toSeconds() + " s (bank.seconds), " + clients + " clients (bank.clients), "
                + inFlight + " in flight each (bank.inFlight), cross-partition share " + crossShare + " (bank.crossShare), "
                + "transaction timeout " + txnTimeoutSeconds + " s (bank.txnTimeoutSeconds), seed " + seed + " (bank.seed)";
    }

    /** The module's {@code target} directory (failsafe runs tests there, and sets {@code basedir}). */
    static Path targetDir() {
        return Path.of(System.getProperty("basedir", ".")).resolve("target");
    }

    /**
     * Where the figures and check results go: this JVM's stdout (the build log, or failsafe's
     * output file) and {@code target/<name>-figures.txt}.
     */
    static PrintStream report(String name) {
        try {
            Files.createDirectories(targetDir());
            OutputStream file = new FileOutputStream(targetDir().resolve(name + "-figures.txt").toFile(), true);
            PrintStream stdout = System.out;
            OutputStream tee = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    stdout.write(b);
                    file.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    stdout.write(b, off, len);
                    file.write(b, off, len);
                }

                @Override
                public void flush() throws IOException {
                    stdout.flush();
                    file.flush();
                }

                @Override
                public void close() throws IOException {
                    flush();
                    file.close();
                }
            };
            return new PrintStream(tee, true, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
