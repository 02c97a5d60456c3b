package io.kvpipe.app.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The records in Confluent's _schemas format, byte for byte where keys must compact. */
class SchemasTopicFormatTest {

    @Test
    void versionsAreWrittenAsConfluentSchemaRecords() {
        SchemasTopicFormat.Entry entry = SchemasTopicFormat.encode(
                new LogRecord.VersionPut(new SchemaVersion("orders-value", 2, 7, "\"string\"", false)));

        assertThat(entry.key()).isEqualTo("{\"keytype\":\"SCHEMA\",\"subject\":\"orders-value\",\"version\":2,\"magic\":1}");
        assertThat(entry.value()).isEqualTo(
                "{\"subject\":\"orders-value\",\"version\":2,\"id\":7,\"schema\":\"\\\"string\\\"\",\"deleted\":false}");
        assertThat(SchemasTopicFormat.encode(new LogRecord.VersionRemoved("orders-value", 2)))
                .isEqualTo(new SchemasTopicFormat.Entry(entry.key(), null));
    }

    @Test
    void levelsAreWrittenAsConfluentConfigRecords() {
        assertThat(SchemasTopicFormat.encode(new LogRecord.LevelPut(null, CompatibilityLevel.FULL)))
                .isEqualTo(new SchemasTopicFormat.Entry("{\"keytype\":\"CONFIG\",\"magic\":0}",
                        "{\"compatibilityLevel\":\"FULL\"}"));
        assertThat(SchemasTopicFormat.encode(new LogRecord.LevelPut("s", CompatibilityLevel.NONE)))
                .isEqualTo(new SchemasTopicFormat.Entry("{\"keytype\":\"CONFIG\",\"subject\":\"s\",\"magic\":0}",
                        "{\"compatibilityLevel\":\"NONE\"}"));
        assertThat(SchemasTopicFormat.encode(new LogRecord.LevelRemoved("s")).value()).isNull();
    }

    @Test
    void whatIsWrittenReadsBack() {
        LogRecord[] records = {
            new LogRecord.VersionPut(new SchemaVersion("s", 1, 1, "\"int\"", true)),
            new LogRecord.VersionRemoved("s", 1),
            new LogRecord.LevelPut(null, CompatibilityLevel.FORWARD_TRANSITIVE),
            new LogRecord.LevelRemoved("s"),
        };
        for (LogRecord record : records) {
            SchemasTopicFormat.Entry entry = SchemasTopicFormat.encode(record);
            assertThat(SchemasTopicFormat.decode(entry.key(), entry.value())).isEqualTo(record);
        }
    }

    @Test
    void recordsAsOtherConfluentVersionsWriteThemAreRead() {
        assertThat(SchemasTopicFormat.decode("{\"keytype\":\"CONFIG\",\"subject\":null,\"magic\":0}",
                "{\"compatibilityLevel\":\"NONE\"}"))
                .isEqualTo(new LogRecord.LevelPut(null, CompatibilityLevel.NONE));
        assertThat(SchemasTopicFormat.decode("{\"keytype\":\"SCHEMA\",\"subject\":\"s\",\"version\":1,\"magic\":0}",
                "{\"subject\":\"s\",\"version\":1,\"id\":3,\"schema\":\"\\\"int\\\"\"}"))
                .isEqualTo(new LogRecord.VersionPut(new SchemaVersion("s", 1, 3, "\"int\"", false)));
        assertThat(SchemasTopicFormat.decode("{\"keytype\":\"DELETE_SUBJECT\",\"subject\":\"s\",\"magic\":0}",
                "{\"subject\":\"s\",\"version\":4}"))
                .isEqualTo(new LogRecord.SubjectDeleted("s", 4));
        assertThat(SchemasTopicFormat.decode("{\"keytype\":\"SCHEMA\",\"subject\":\"p\",\"version\":1,\"magic\":1}",
                "{\"subject\":\"p\",\"version\":1,\"id\":9,\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\";\"}"))
                .isEqualTo(new LogRecord.ForeignSchema("p", 1, 9, "PROTOBUF"));
        assertThat(SchemasTopicFormat.decode("{\"keytype\":\"NOOP\",\"magic\":0}", null))
                .isEqualTo(new LogRecord.Ignored("NOOP"));
    }

    @Test
    void somethingElseIsRefused() {
        assertThatThrownBy(() -> SchemasTopicFormat.decode("not json", null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SchemasTopicFormat.decode("{\"keytype\":\"SCHEMA\",\"subject\":\"s\"}", "{}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'version' missing");
    }
}
