package io.kvpipe.producers.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** Kafka client properties from a properties file, overridden by {@code key=value} pairs. */
final class ClientProperties {

    private ClientProperties() {}

    /**
     * @param file a Java properties file, or null
     * @param overrides {@code key=value} pairs applied after the file
     * @throws CliException if the file cannot be read or a pair has no {@code =}
     */
    static Map<String, Object> load(Path file, List<String> overrides) {
        Map<String, Object> config = new LinkedHashMap<>();
        if (file != null) {
            Properties props = new Properties();
            try (Reader reader = Files.newBufferedReader(file)) {
                props.load(reader);
            } catch (IOException e) {
                throw new CliException("cannot read the client properties file " + file + ": " + e.getMessage(), e);
            }
            props.stringPropertyNames().forEach(name -> config.put(name, props.getProperty(name)));
        }
        for (String pair : overrides) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new CliException("a client property must be key=value, got '" + pair + "'");
            }
            config.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return config;
    }
}
