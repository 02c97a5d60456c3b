package io.kvpipe.schemas.serde;

import io.kvpipe.schemas.testing.InMemorySchemaRegistry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvpipe.avro.Heartbeat;
import io.kvpipe.avro.PartitionProgress;
import io.kvpipe.schemas.registry.SchemaRegistryClient;
import io.kvpipe.schemas.registry.SchemaRegistryException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

    private static final String TOPIC = "kv-heartbeats";

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final AvroSerde<Heartbeat> serde = AvroSerde.forValues(Heartbeat.class, registry);

    @Test
    void framesRecordsAsMagicByteThenBigEndianIdThenAvroBinary() throws Exception {
        // Given:
        Heartbeat beat = heartbeat();

        // When:
        byte[] bytes = serde.serializer().serialize(TOPIC, beat);

        // Then: the documented Confluent layout, readable by any Avro decoder given the id's schema
        int id = registry.idOf("kv-heartbeats-value", Heartbeat.getClassSchema());
        assertThat(bytes[0]).isEqualTo((byte) 0);
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
        assertThat(Arrays.copyOfRange(bytes, 5, bytes.length)).isEqualTo(plainAvro(beat));
        GenericRecord decoded = new GenericDatumReader<GenericRecord>(registry.schemaById(id))
                .read(null, DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null));
        assertThat(decoded.get("instanceId").toString()).isEqualTo("app-1");
        assertThat(decoded.get("sequence")).isEqualTo(7L);
    }

    @Test
    void roundTripsGeneratedRecordsAndTombstones() {
        Heartbeat beat = heartbeat();

        byte[] bytes = serde.serializer().serialize(TOPIC, beat);

        assertThat(serde.deserializer().deserialize(TOPIC, bytes)).isEqualTo(beat);
        assertThat(serde.serializer().serialize(TOPIC, null)).isNull();
        assertThat(serde.deserializer().deserialize(TOPIC, null)).isNull();
    }

    @Test
    void registersUnderTopicNameStrategySubjectsForKeysAndValues() {
        AvroSerializer<Object> keys = new AvroSerializer<>(registry, true);

        byte[] key = keys.serialize("kv-changes", "account-1");
        serde.serializer().serialize("kv-changes", heartbeat());

        assertThat(registry.hasSubject("kv-changes-key")).isTrue();
        assertThat(registry.hasSubject("kv-changes-value")).isTrue();
        assertThat(new AvroDeserializer<>(registry).deserialize("kv-changes", key)).isEqualTo("account-1");
    }

    @Test
    void readsDataWrittenWithAnOlderCompatibleSchema() {
        // Given: v1 of Heartbeat had no replicas field; v2 (the generated class) adds it with a default
        Schema v1 = SchemaBuilder.record("Heartbeat").namespace("io.kvpipe.avro").fields()
                .requiredString("instanceId")
                .name("queryEndpoint").type().unionOf().nullType().and().stringType().endUnion().nullDefault()
                .requiredLong("sequence")
                .requiredLong("timestampMs")
                .name("primaries").type().array().items(PartitionProgress.getClassSchema()).noDefault()
                .endRecord();
        GenericRecord old = new GenericData.Record(v1);
        old.put("instanceId", "app-0");
        old.put("sequence", 3L);
        old.put("timestampMs", 1000L);
        old.put("primaries", List.of(new PartitionProgress(2, 40L, null)));
        byte[] bytes = new AvroSerializer<GenericRecord>(registry, false).serialize(TOPIC, old);

        // When:
        Heartbeat read = serde.deserializer().deserialize(TOPIC, bytes);

        // Then:
        assertThat(read.getInstanceId()).isEqualTo("app-0");
        assertThat(read.getPrimaries()).containsExactly(new PartitionProgress(2, 40L, null));
        assertThat(read.getReplicas()).isEmpty();
    }

    @Test
    void refusesBytesThatAreNotInTheWireFormat() {
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, new byte[] {1, 0, 0, 0, 1, 2}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("magic byte 1");
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, new byte[] {0, 0}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("5-byte header");
    }

    @Test
    void tellsAnUnknownSchemaIdApartFromOtherFailures() {
        byte[] unknownId = {0, 0, 0, 0x30, 0x39, 2};

        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, unknownId))
                .isInstanceOfSatisfying(UnknownSchemaException.class, e -> assertThat(e.schemaId()).isEqualTo(12345));
    }

    @Test
    void refusesTruncatedAvroWithAClearError() {
        byte[] bytes = serde.serializer().serialize(TOPIC, heartbeat());

        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, Arrays.copyOf(bytes, 8)))
                .isInstanceOf(SerializationException.class)
                .isNotInstanceOf(UnknownSchemaException.class)
                .hasMessageContaining("schema id");
    }

    @Test
    void anUnreachableRegistryIsASerializationErrorNotAnUnknownSchema() {
        SchemaRegistryClient down = new InMemorySchemaRegistry() {
            @Override
            public synchronized Schema schemaById(int id) {
                throw new SchemaRegistryException("schema registry at http://localhost:1 is unreachable",
                        SchemaRegistryException.NO_ERROR_CODE);
            }
        };
        AvroDeserializer<Heartbeat> deserializer = new AvroDeserializer<>(down, Heartbeat.class);

        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, new byte[] {0, 0, 0, 0, 1, 2}))
                .isInstanceOf(SerializationException.class)
                .isNotInstanceOf(UnknownSchemaException.class)
                .hasMessageContaining("unreachable");
    }

    @Test
    void anIdOfASchemaNoAvroReaderCanUseIsPermanentLikeAnUnknownOne() {
        registry.unusable(77);

        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, new byte[] {0, 0, 0, 0, 77, 2}))
                .isInstanceOfSatisfying(UnknownSchemaException.class, e -> assertThat(e.schemaId()).isEqualTo(77))
                .hasMessageContaining("PROTOBUF");
    }

    @Test
    void onlyNotFoundAndInvalidAnswersArePermanentAuthorizationAndServerErrorsAreNot() {
        for (int code : new int[] {40401, 42201}) {
            assertThatThrownBy(() -> deserializerAnswering(code).deserialize(TOPIC, new byte[] {0, 0, 0, 0, 1, 2}))
                    .as("error code %d", code).isInstanceOf(UnknownSchemaException.class);
        }
        for (int code : new int[] {40301, 401, 50001, 500}) {
            assertThatThrownBy(() -> deserializerAnswering(code).deserialize(TOPIC, new byte[] {0, 0, 0, 0, 1, 2}))
                    .as("error code %d", code).isInstanceOf(SerializationException.class)
                    .isNotInstanceOf(UnknownSchemaException.class);
        }
    }

    private static AvroDeserializer<Heartbeat> deserializerAnswering(int errorCode) {
        SchemaRegistryClient answering = new InMemorySchemaRegistry() {
            @Override
            public synchronized Schema schemaById(int id) {
                throw new SchemaRegistryException("registry said " + errorCode, errorCode);
            }
        };
        return new AvroDeserializer<>(answering, Heartbeat.class);
    }

    private static Heartbeat heartbeat() {
        return Heartbeat.newBuilder()
                .setInstanceId("app-1")
                .setQueryEndpoint("localhost:7070")
                .setSequence(7L)
                .setTimestampMs(1_700_000_000_000L)
                .setPrimaries(List.of(new PartitionProgress(0, 12L, 0L)))
                .setReplicas(List.of(new PartitionProgress(1, 5L, null)))
                .build();
    }

    private static byte[] plainAvro(Heartbeat beat) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(Heartbeat.class).write(beat, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
