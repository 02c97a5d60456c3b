package io.kvpipe.producers.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Kafka client properties that pass through to every Kafka client a tool makes (the CLI's client,
 * and the app's admin, producers, consumers, Streams and registry log): security settings,
 * timeouts, anything Kafka accepts. Read from a properties file, then overridden by {@code
 * key=value} pairs from the command line. Each tool words the failure its own way, so this one
 * throws a plain {@link IllegalArgumentException} with a one-line message.
 */
public final class ClientProperties {

    private ClientProperties() {}

    /**
     * @param file a Java properties file, or null
     * @param overrides {@code key=value} pairs, applied after the file
     * @return the properties, file order first (as far as {@link Properties} keeps it), then the overrides
     * @throws IllegalArgumentException if the file cannot be read or a pair has no {@code =}
     */
    public static Map<String, Object> load(Path file, List<String> overrides) {
        Map<String, Object> config = new LinkedHashMap<>();
        if (file != null) {
            Properties props = new Properties();
            try (Reader reader = Files.newBufferedReader(file)) {
                props.load(reader);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the client properties file " + file + ": "
                        + e.getMessage(), e);
            }
            props.stringPropertyNames().forEach(name -> config.put(name, props.getProperty(name)));
        }
        for (String pair : overrides) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("a client property must be key=value, got '" + pair + "'");
            }
            config.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return config;
    }
}
