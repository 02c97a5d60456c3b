package io.kvpipe.app.config;

import io.kvpipe.app.StartupException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Kafka client properties that pass through to every client the app makes (admin, producers,
 * consumers, Streams, the registry's log): security settings, timeouts, anything Kafka accepts.
 * Read from a properties file, then overridden by {@code key=value} pairs from the command line.
 */
public final class ClientProperties {

    private ClientProperties() {}

    /**
     * @param file a Java properties file, or null
     * @param overrides {@code key=value} pairs, applied after the file
     * @throws StartupException if the file cannot be read or a pair has no {@code =}
     */
    public static Map<String, Object> load(Path file, List<String> overrides) {
        Map<String, Object> config = new HashMap<>();
        if (file != null) {
            Properties props = new Properties();
            try (Reader reader = Files.newBufferedReader(file)) {
                props.load(reader);
            } catch (IOException e) {
                throw new StartupException("cannot read the client properties file " + file + ": " + e.getMessage(), e);
            }
            props.stringPropertyNames().forEach(name -> config.put(name, props.getProperty(name)));
        }
        for (String pair : overrides) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new StartupException("a client property must be key=value, got '" + pair + "'");
            }
            config.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return config;
    }
}
