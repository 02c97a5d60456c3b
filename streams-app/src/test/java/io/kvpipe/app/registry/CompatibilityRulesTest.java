package io.kvpipe.app.registry;

import static io.kvpipe.app.registry.RegistryCalls.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Compatibility levels enforced with Avro's rules, on registration and through /compatibility. */
class CompatibilityRulesTest {

    private SchemaRegistryServer server;
    private RegistryCalls calls;

    @BeforeEach
    void start() {
        server = SchemaRegistryServer.start("127.0.0.1", 0, new InMemorySchemaLog());
        calls = new RegistryCalls(server.url());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void underTheDefaultBackwardLevelANewFieldWithADefaultIsAcceptedAndReadsOldData() throws IOException {
        assertThat(calls.register("users", Schemas.V1).status()).isEqualTo(200);
        assertThat(calls.register("users", Schemas.WITH_DEFAULTED_AGE).json().get("id").asInt()).isEqualTo(2);

        GenericRecord written = new GenericData.Record(Schemas.V1);
        written.put("name", "ada");
        GenericRecord read = roundTrip(written, Schemas.WITH_DEFAULTED_AGE);
        assertThat(read.get("name")).hasToString("ada");
        assertThat(read.get("age")).isEqualTo(0);
    }

    @Test
    void underBackwardARequiredNewFieldOrAChangedTypeIsRefusedWith409() {
        calls.register("users", Schemas.V1);

        RegistryCalls.Response required = calls.register("users", Schemas.WITH_REQUIRED_AGE);
        assertThat(required.status()).isEqualTo(409);
        assertThat(required.json().get("error_code").asInt()).isEqualTo(409);
        assertThat(required.json().get("message").asText())
                .startsWith("Schema being registered is incompatible with an earlier schema for subject \"users\"")
                .contains("READER_FIELD_MISSING_DEFAULT_VALUE");
        assertThat(required.json().properties()).hasSize(2);

        RegistryCalls.Response retyped = calls.register("users", Schemas.NAME_AS_INT);
        assertThat(retyped.status()).isEqualTo(409);
        assertThat(retyped.json().get("message").asText()).contains("TYPE_MISMATCH");
        assertThat(calls.get("/subjects/users/versions").json()).hasSize(1);
    }

    @ParameterizedTest(name = "{0}: {1} after V1 accepted={2}")
    @CsvSource({
        "BACKWARD, WITH_DEFAULTED_AGE, true",
        "BACKWARD, WITH_REQUIRED_AGE, false",
        "BACKWARD, WITHOUT_NAME, true",
        "BACKWARD, NAME_AS_INT, false",
        "FORWARD, WITH_DEFAULTED_AGE, true",
        "FORWARD, WITH_REQUIRED_AGE, true",
        "FORWARD, WITHOUT_NAME, false",
        "FORWARD, NAME_AS_INT, false",
        "FULL, WITH_DEFAULTED_AGE, true",
        "FULL, WITH_REQUIRED_AGE, false",
        "FULL, WITHOUT_NAME, false",
        "NONE, NAME_AS_INT, true",
    })
    void eachLevelFollowsAvrosReaderWriterRules(String level, String candidate, boolean accepted) {
        calls.put("/config/users", "{\"compatibility\":\"" + level + "\"}");
        calls.register("users", Schemas.V1);

        assertThat(calls.register("users", schema(candidate)).status()).isEqualTo(accepted ? 200 : 409);
    }

    @Test
    void aSubjectLevelOverridesTheGlobalOne() {
        calls.put("/config", "{\"compatibility\":\"NONE\"}");
        calls.put("/config/strict", "{\"compatibility\":\"BACKWARD\"}");
        calls.register("strict", Schemas.V1);
        calls.register("loose", Schemas.V1);

        assertThat(calls.register("strict", Schemas.NAME_AS_INT).status()).isEqualTo(409);
        assertThat(calls.register("loose", Schemas.NAME_AS_INT).status()).isEqualTo(200);
    }

    @Test
    void transitiveLevelsCheckEveryEarlierVersionNotJustTheLatest() {
        // V1 {name: string} -> {} -> {name: int = 0}: each reads its predecessor's data,
        // but the third cannot read V1's string names.
        calls.register("plain", Schemas.V1);
        calls.register("plain", Schemas.WITHOUT_NAME);
        assertThat(calls.register("plain", Schemas.NAME_AS_DEFAULTED_INT).status()).isEqualTo(200);

        calls.put("/config/transitive", "{\"compatibility\":\"BACKWARD_TRANSITIVE\"}");
        calls.register("transitive", Schemas.V1);
        calls.register("transitive", Schemas.WITHOUT_NAME);
        RegistryCalls.Response refused = calls.register("transitive", Schemas.NAME_AS_DEFAULTED_INT);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("message").asText()).contains("version 1");
    }

    @Test
    void compatibilityIsTestedAgainstOneVersionOrAsRegisteringWould() throws IOException {
        calls.put("/config/users", "{\"compatibility\":\"BACKWARD_TRANSITIVE\"}");
        calls.register("users", Schemas.V1);
        calls.register("users", Schemas.WITHOUT_NAME);

        assertThat(calls.postSchema("/compatibility/subjects/users/versions/latest", Schemas.NAME_AS_DEFAULTED_INT).json())
                .isEqualTo(JSON.readTree("{\"is_compatible\":true}"));
        assertThat(calls.postSchema("/compatibility/subjects/users/versions/1", Schemas.NAME_AS_DEFAULTED_INT).json())
                .isEqualTo(JSON.readTree("{\"is_compatible\":false}"));
        assertThat(calls.postSchema("/compatibility/subjects/users/versions", Schemas.NAME_AS_DEFAULTED_INT).json())
                .isEqualTo(JSON.readTree("{\"is_compatible\":false}"));

        var verbose = calls.postSchema("/compatibility/subjects/users/versions/1?verbose=true",
                Schemas.NAME_AS_DEFAULTED_INT).json();
        assertThat(verbose.get("is_compatible").asBoolean()).isFalse();
        assertThat(verbose.get("messages").get(0).asText())
                .startsWith("the new schema cannot read data written with version 1: TYPE_MISMATCH");
        assertThat(calls.postSchema("/compatibility/subjects/users/versions/2?verbose=true", Schemas.WITHOUT_NAME).json())
                .isEqualTo(JSON.readTree("{\"is_compatible\":true,\"messages\":[]}"));
    }

    @Test
    void compatibilityAgainstNothingIsTrueButAgainstAMissingVersionIsAnError() throws IOException {
        assertThat(calls.postSchema("/compatibility/subjects/new/versions/latest", Schemas.V1).json())
                .isEqualTo(JSON.readTree("{\"is_compatible\":true}"));
        assertThat(calls.postSchema("/compatibility/subjects/new/versions", Schemas.V1).json())
                .isEqualTo(JSON.readTree("{\"is_compatible\":true}"));

        calls.register("users", Schemas.V1);
        RegistryCalls.Response missing = calls.postSchema("/compatibility/subjects/users/versions/5", Schemas.V1);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("error_code").asInt()).isEqualTo(40402);
        RegistryCalls.Response invalid = calls.postSchema("/compatibility/subjects/users/versions/x", Schemas.V1);
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.json().get("error_code").asInt()).isEqualTo(42202);
    }

    private static Schema schema(String name) {
        try {
            return (Schema) Schemas.class.getDeclaredField(name).get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("no schema " + name, e);
        }
    }

    private static GenericRecord roundTrip(GenericRecord record, Schema reader) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
        encoder.flush();
        return new GenericDatumReader<GenericRecord>(record.getSchema(), reader)
                .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
    }
}
