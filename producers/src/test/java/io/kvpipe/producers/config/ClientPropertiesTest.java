package io.kvpipe.producers.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientPropertiesTest {

    @TempDir
    Path dir;

    @Test
    void securitySettingsFromAFilePassThroughAndTheCommandLineOverridesThem() throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, """
                security.protocol=SASL_SSL
                sasl.mechanism=PLAIN
                sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p=1";
                request.timeout.ms=20000
                """);

        var config = ClientProperties.load(file, List.of("request.timeout.ms=5000", "client.rack = eu-1a"));

        assertThat(config)
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p=1\";")
                .containsEntry("request.timeout.ms", "5000")
                .containsEntry("client.rack", "eu-1a");
    }

    @Test
    void aValueMayContainEqualsSigns() {
        assertThat(ClientProperties.load(null, List.of("sasl.jaas.config=a=b"))).containsEntry("sasl.jaas.config", "a=b");
    }

    @Test
    void aMissingFileOrAPairWithoutEqualsIsRefusedInOneLine() {
        assertThatThrownBy(() -> ClientProperties.load(dir.resolve("absent.properties"), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot read the client properties file");
        assertThatThrownBy(() -> ClientProperties.load(null, List.of("=x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a client property must be key=value, got '=x'");
    }
}
