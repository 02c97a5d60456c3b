package io.kvpipe.app.bank;

import io.kvpipe.app.Launcher;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A streams-app instance in its own JVM: {@link Launcher} started with {@code java} from this JVM's
 * home and this JVM's class path, against an existing broker and registry. Its output goes to a log
 * file. {@link #kill()} is SIGKILL ({@link Process#destroyForcibly()} on Linux): no shutdown hook,
 * no close, no last commit runs.
 */
final class AppProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int httpPort;
    private final Path log;
    private final Process process;
    private final Thread reaper;

    private AppProcess(String name, int httpPort, Path log, Process process) {
        this.name = name;
        this.httpPort = httpPort;
        this.log = log;
        this.process = process;
        // If the test JVM itself goes away (a failed run, a surefire timeout), the child goes too.
        this.reaper = new Thread(process::destroyForcibly, "reap-" + name);
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /**
     * Starts {@code java ... io.kvpipe.app.Launcher args} with its output appended to {@code log}.
     */
    static AppProcess start(String name, int httpPort, Path log, List<String> launcherArgs) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Launcher.class.getName());
        command.addAll(launcherArgs);
        Files.createDirectories(log.getParent());
        Files.writeString(log, "\n===== " + java.time.Instant.now() + " start " + name + ": " + String.join(" ", launcherArgs)
                + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        return new AppProcess(name, httpPort, log, process);
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String queryUrl() {
        return "http://localhost:" + httpPort;
    }

    Path log() {
        return log;
    }

    /**
     * Waits until the launcher says it is up (Kafka Streams RUNNING, query server listening).
     *
     * @throws AssertionError if the process exits or does not come up within {@code timeout}
     */
    void awaitUp(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + " while starting; see " + log);
            }
            if (Files.readString(log, StandardCharsets.UTF_8).contains("kvpipe is up") && healthy()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(name + " did not come up within " + timeout.toSeconds() + " s; see " + log);
    }

    private boolean healthy() {
        try {
            HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create(queryUrl() + "/health"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** SIGKILL; returns the exit code (137 = 128 + SIGKILL). */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " (pid " + pid() + ") still runs 30 s after SIGKILL");
        }
        forgetReaper();
        return process.exitValue();
    }

    /** SIGTERM: the launcher's shutdown hook closes the instance; returns the exit code. */
    int stop(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            forgetReaper();
            throw new AssertionError(name + " did not stop within " + timeout.toSeconds() + " s of SIGTERM; killed");
        }
        forgetReaper();
        return process.exitValue();
    }

    private void forgetReaper() {
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
            // the JVM is shutting down already
        }
    }

    /** Kills the process if it still runs (test teardown, also after a failure). */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        forgetReaper();
    }
}
