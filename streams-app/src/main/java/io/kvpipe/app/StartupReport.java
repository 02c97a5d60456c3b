package io.kvpipe.app;

import java.io.PrintStream;
import java.util.Map;

/** Tells a person, in a few aligned lines, what runs where. */
final class StartupReport {

    private final PrintStream out;

    StartupReport(PrintStream out) {
        this.out = out;
    }

    void print(Environment environment, Pipeline pipeline, AppInstance app) {
        out.println("kvpipe is up");
        row("Kafka", environment.bootstrapServers(), environment.embeddedKafka()
                ? "embedded KRaft broker, data in " + environment.kafkaDataDir().toAbsolutePath().normalize()
                : "external");
        row("Schema registry", environment.schemaRegistryUrl(), environment.embeddedRegistry()
                ? "embedded, schemas kept in topic _schemas"
                : "external");
        row("Queries", app.queryUrl(), "instance " + app.instanceId() + ": GET /kv/{key}, /cluster, /health, /metrics");
        for (Map.Entry<String, Integer> topic : pipeline.partitions().entrySet()) {
            String subject = topic.getKey() + "-value";
            row("Topic", topic.getKey(), topic.getValue() + " partition" + (topic.getValue() == 1 ? "" : "s")
                    + ", value schema id " + pipeline.schemaIds().get(subject) + " (" + subject + ")");
        }
    }

    private void row(String what, String where, String note) {
        out.printf("  %-16s %-28s %s%n", what, where, note);
    }
}
