package io.kvpipe.app.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A registry rebuilt from its log holds the same ids, versions and levels as the one that wrote it. */
class SchemaRegistryStateReplayTest {

    private final InMemorySchemaLog log = new InMemorySchemaLog();

    @Test
    void replayRestoresIdsVersionsLevelsAndDeletions() {
        SchemaRegistryState first = SchemaRegistryState.replay(log);
        first.setLevel(null, CompatibilityLevel.FULL);
        first.setLevel("b", CompatibilityLevel.NONE);
        first.register("a", Schemas.V1);
        first.register("a", Schemas.WITH_DEFAULTED_AGE);
        first.register("b", Schemas.V1);
        first.register("b", Schemas.NAME_AS_INT);
        first.deleteVersion("a", VersionId.parse("1"), false);
        first.register("c", Schemas.WITHOUT_NAME);
        first.deleteSubject("c", false);
        first.deleteSubject("c", true);

        SchemaRegistryState second = SchemaRegistryState.replay(log);

        assertThat(second.subjects(true)).containsExactly("a", "b");
        assertThat(second.versions("a", true)).containsExactly(1, 2);
        assertThat(second.versions("a", false)).containsExactly(2);
        for (String subject : List.of("a", "b")) {
            for (int version : second.versions(subject, true)) {
                VersionId id = new VersionId(version);
                assertThat(second.version(subject, id, true)).isEqualTo(first.version(subject, id, true));
            }
        }
        assertThat(second.schemaById(2)).isEqualTo(Schemas.WITH_DEFAULTED_AGE.toString());
        assertThat(second.globalLevel()).isEqualTo(CompatibilityLevel.FULL);
        assertThat(second.subjectLevel("b")).contains(CompatibilityLevel.NONE);
        assertThat(second.subjectLevel("a")).isEmpty();
        assertThat(second.lookup("b", Schemas.NAME_AS_INT, false).id()).isEqualTo(3);
    }

    @Test
    void idsAreNeverReusedAfterAReplayEvenForPermanentlyDeletedSchemas() {
        SchemaRegistryState first = SchemaRegistryState.replay(log);
        first.register("a", Schemas.V1);
        first.register("gone", Schemas.NAME_AS_INT);
        first.deleteSubject("gone", false);
        first.deleteSubject("gone", true);

        SchemaRegistryState second = SchemaRegistryState.replay(log);

        assertThat(second.register("b", Schemas.V1)).isEqualTo(1);
        assertThat(second.register("b", Schemas.WITH_DEFAULTED_AGE)).isEqualTo(3);
    }

    @Test
    void aLogWrittenByConfluentWithSubjectDeletionsAndOtherSchemaTypesReplays() {
        log.append("{\"keytype\":\"SCHEMA\",\"subject\":\"s\",\"version\":1,\"magic\":1}",
                "{\"subject\":\"s\",\"version\":1,\"id\":1,\"schema\":\"\\\"string\\\"\",\"deleted\":false}");
        log.append("{\"keytype\":\"SCHEMA\",\"subject\":\"p\",\"version\":1,\"magic\":1}",
                "{\"subject\":\"p\",\"version\":1,\"id\":2,\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\";\"}");
        log.append("{\"keytype\":\"DELETE_SUBJECT\",\"subject\":\"s\",\"magic\":0}", "{\"subject\":\"s\",\"version\":1}");
        log.append("{\"keytype\":\"NOOP\",\"magic\":0}", null);

        SchemaRegistryState state = SchemaRegistryState.replay(log);

        assertThat(state.subjects(false)).isEmpty();
        assertThat(state.subjects(true)).containsExactly("s");
        assertThat(state.register("t", Schemas.V1)).isEqualTo(3);
    }

    @Test
    void aRestartedServerAnswersWithTheSameIds() {
        try (SchemaRegistryServer server = SchemaRegistryServer.start("127.0.0.1", 0, log)) {
            new RegistryCalls(server.url()).register("s", Schemas.V1);
            new RegistryCalls(server.url()).register("t", Schemas.WITH_DEFAULTED_AGE);
        }
        try (SchemaRegistryServer restarted = SchemaRegistryServer.start("127.0.0.1", 0, log)) {
            RegistryCalls calls = new RegistryCalls(restarted.url());
            assertThat(calls.get("/subjects/t/versions/latest").json().get("id").asInt()).isEqualTo(2);
            assertThat(calls.register("u", Schemas.V1).json().get("id").asInt()).isEqualTo(1);
        }
    }
}
