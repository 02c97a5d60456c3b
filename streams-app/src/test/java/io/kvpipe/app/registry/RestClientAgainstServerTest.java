package io.kvpipe.app.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvpipe.schemas.registry.RestSchemaRegistryClient;
import io.kvpipe.schemas.registry.SchemaRegistryException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Our client against our server, through a proxy that counts what reaches the server. */
class RestClientAgainstServerTest {

    private SchemaRegistryServer server;
    private CountingProxy proxy;
    private RestSchemaRegistryClient client;

    @BeforeEach
    void start() {
        server = SchemaRegistryServer.start("127.0.0.1", 0, new InMemorySchemaLog());
        proxy = new CountingProxy(server.url());
        client = RestSchemaRegistryClient.forUrl(proxy.url());
    }

    @AfterEach
    void stop() {
        client.close();
        proxy.close();
        server.close();
    }

    @Test
    void aRegisteredSchemaComesBackById() {
        int id = client.register("users-value", Schemas.V1);

        try (RestSchemaRegistryClient fresh = RestSchemaRegistryClient.forUrl(server.url())) {
            assertThat(fresh.schemaById(id)).isEqualTo(Schemas.V1);
        }
    }

    @Test
    void idOfFindsARegisteredSchemaWithoutRegistering() {
        int id = new RegistryCalls(server.url()).register("users-value", Schemas.V1).json().get("id").asInt();

        assertThat(client.idOf("users-value", Schemas.V1)).isEqualTo(id);
        assertThat(proxy.calls()).containsExactly("POST /subjects/users-value");
        assertThatThrownBy(() -> client.idOf("users-value", Schemas.WITH_DEFAULTED_AGE))
                .isInstanceOfSatisfying(SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND));
        assertThatThrownBy(() -> client.idOf("nobody", Schemas.V1))
                .isInstanceOfSatisfying(SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SUBJECT_NOT_FOUND));
        assertThat(new RegistryCalls(server.url()).get("/subjects/users-value/versions").json()).hasSize(1);
    }

    @Test
    void repeatedCallsAreServedFromTheCache() {
        int id = client.register("users-value", Schemas.V1);
        assertThat(client.register("users-value", Schemas.V1)).isEqualTo(id);
        assertThat(client.idOf("users-value", Schemas.V1)).isEqualTo(id);
        assertThat(client.schemaById(id)).isEqualTo(Schemas.V1);

        int other = new RegistryCalls(server.url()).register("other", Schemas.WITH_DEFAULTED_AGE).json().get("id").asInt();
        assertThat(client.schemaById(other)).isEqualTo(Schemas.WITH_DEFAULTED_AGE);
        assertThat(client.schemaById(other)).isEqualTo(Schemas.WITH_DEFAULTED_AGE);

        assertThat(proxy.calls()).containsExactly("POST /subjects/users-value/versions", "GET /schemas/ids/" + other);
    }

    @Test
    void registryRefusalsCarryTheRegistryCode() {
        client.register("users-value", Schemas.V1);

        assertThatThrownBy(() -> client.register("users-value", Schemas.NAME_AS_INT))
                .isInstanceOfSatisfying(SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INCOMPATIBLE_SCHEMA))
                .hasMessageContaining("incompatible with an earlier schema for subject \"users-value\"");
        assertThatThrownBy(() -> client.schemaById(404))
                .isInstanceOfSatisfying(SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND));
        assertThat(proxy.calls()).hasSize(3);
    }
}
