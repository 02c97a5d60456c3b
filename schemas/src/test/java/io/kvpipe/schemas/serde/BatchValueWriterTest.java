package io.kvpipe.schemas.serde;

import io.kvpipe.schemas.testing.InMemorySchemaRegistry;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.avro.KeyVersion;
import io.kvpipe.avro.Operation;
import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.OutcomeBatch;
import io.kvpipe.avro.OutcomeStatus;
import io.kvpipe.avro.Put;
import io.kvpipe.avro.ReplyTo;
import io.kvpipe.avro.Request;
import io.kvpipe.avro.RequestBatch;
import io.kvpipe.schemas.RequestsValue;
import io.kvpipe.schemas.ResultsValue;
import io.kvpipe.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;

/**
 * Requests- and results-topic values: plain records as before, batches under the union, both read
 * by one reader.
 */
class BatchValueWriterTest {

    private static final String TOPIC = Topics.defaults().requests();

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final BatchValueWriter<Request> writer = BatchValueWriter.forRequests(registry, TOPIC, true);
    private final AvroDeserializer<Object> reader = new AvroDeserializer<>(registry, RequestsValue.SCHEMA);

    @Test
    void aSingleRequestIsWrittenUnderTheUnionSchemaAsItsRequestBranch() {
        Request request = request("r-1", "k", "v");
        request.setSentToParticipants(true);

        byte[] single = writer.single(writer.encode(request));

        assertThat(single).isEqualTo(new AvroSerializer<Object>(registry, false, RequestsValue.SCHEMA)
                .serialize(TOPIC, request));
        assertThat(single).hasSize(BatchValueWriter.singleSize(writer.encode(request).length));
        assertThat(reader.deserialize(TOPIC, single)).isEqualTo(request);
        assertThat(RequestsValue.requests(reader.deserialize(TOPIC, single))).containsExactly(request);
    }

    @Test
    void aBatchIsARequestBatchUnderTheUnionSchemaOfExactlyThePredictedSize() {
        List<Request> requests = new ArrayList<>();
        List<byte[]> bodies = new ArrayList<>();
        int bodyBytes = 0;
        for (int i = 0; i < 200; i++) { // more than 63, so the count takes two bytes
            Request request = request("r-" + i, "key-" + i, "v".repeat(i));
            requests.add(request);
            byte[] body = writer.encode(request);
            bodies.add(body);
            bodyBytes += body.length;
        }

        byte[] batch = writer.batch(bodies);

        assertThat(batch).hasSize(BatchValueWriter.batchSize(200, bodyBytes));
        int id = registry.idOf(TOPIC + "-value", RequestsValue.SCHEMA);
        assertThat(java.nio.ByteBuffer.wrap(batch, 1, 4).getInt()).isEqualTo(id);
        Object decoded = reader.deserialize(TOPIC, batch);
        assertThat(decoded).isEqualTo(new RequestBatch(requests));
        assertThat(RequestsValue.requests(decoded)).containsExactlyElementsOf(requests);
    }

    @Test
    void theSubjectKeepsItsFirstPlainRequestAndOnlyTheUnionEvolves() {
        Schema first = RequestsValue.FIRST_REQUEST;
        // The unions of earlier releases: the first's Request had no sentToParticipants yet, the
        // next one's no freshId, the one before this no batchedOutcomes.
        Schema earlierUnion = Schema.createUnion(first, earlierBatch(first));
        Schema withoutFreshId = without(without(Request.getClassSchema(), "batchedOutcomes"), "freshId");
        Schema olderUnion = Schema.createUnion(withoutFreshId, earlierBatch(withoutFreshId));
        Schema withoutBatchedOutcomes = without(Request.getClassSchema(), "batchedOutcomes");
        Schema previousUnion = Schema.createUnion(withoutBatchedOutcomes, earlierBatch(withoutBatchedOutcomes));

        assertThat(RequestsValue.versions()).containsExactly(first, RequestsValue.SCHEMA);
        assertThat(Topics.defaults().valueSchemas().get(TOPIC)).isEqualTo(RequestsValue.SCHEMA);
        assertThat(first.getField("sentToParticipants")).isNull();
        assertThat(first.getField("freshId")).isNull();
        assertThat(first.getField("batchedOutcomes")).isNull();
        assertThat(first.getFields()).hasSize(Request.getClassSchema().getFields().size() - 3);
        // The registry finds version 1 by its text: it must stay the text registered then (this is
        // the SHA-256 of FIRST_REQUEST's text as c7b92c8 built it, before Request grew freshId).
        assertThat(sha256(first.toString())).isEqualTo("ca4a07504db4772cca3432957a418f604e30d549ce1e5b3793455668d9d263d6");
        // BACKWARD: the current union reads what every earlier version wrote.
        for (Schema writer : List.of(first, earlierUnion, olderUnion, previousUnion)) {
            assertThat(SchemaCompatibility.checkReaderWriterCompatibility(RequestsValue.SCHEMA, writer).getType())
                    .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        }
        // Why the plain Request is not registered again: after a union it cannot read the batches.
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(Request.getClassSchema(), earlierUnion)
                .getType()).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    @Test
    void anOutcomeAloneIsReadByAReaderOfOutcomeAloneAndABatchByTheUnion() {
        String results = Topics.defaults().results();
        BatchValueWriter<Outcome> outcomes = BatchValueWriter.forOutcomes(registry, results, true);
        Outcome first = outcome("r-1");
        Outcome second = outcome("r-2");

        byte[] single = outcomes.single(outcomes.encode(first));
        byte[] batch = outcomes.batch(List.of(outcomes.encode(first), outcomes.encode(second)));

        AvroDeserializer<Object> union = new AvroDeserializer<>(registry, ResultsValue.SCHEMA);
        // A client before batches reads with Outcome alone: the union's branch 0 resolves to it.
        assertThat(new AvroDeserializer<>(registry, Outcome.class).deserialize(results, single)).isEqualTo(first);
        assertThat(ResultsValue.outcomes(union.deserialize(results, single))).containsExactly(first);
        assertThat(union.deserialize(results, batch)).isEqualTo(new OutcomeBatch(List.of(first, second)));
        assertThat(ResultsValue.outcomes(union.deserialize(results, batch))).containsExactly(first, second);
        assertThat(java.nio.ByteBuffer.wrap(batch, 1, 4).getInt())
                .isEqualTo(registry.idOf(results + "-value", ResultsValue.SCHEMA));
    }

    @Test
    void theResultsSubjectKeepsItsOutcomeAndTheUnionReadsIt() {
        assertThat(ResultsValue.versions()).containsExactly(Outcome.getClassSchema(), ResultsValue.SCHEMA);
        assertThat(Topics.defaults().valueSchemaVersions().get(Topics.defaults().results()))
                .isEqualTo(ResultsValue.versions());
        // The registry finds version 1 by its text, Outcome's as every release before the union
        // registered it (the SHA-256 of that text, computed from the 8cda3bd build).
        assertThat(sha256(ResultsValue.FIRST_OUTCOME.toString()))
                .isEqualTo("348748c843a1136543ea96018edbeeda0b2456db5ab0fa57934972f3eea90e6c");
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(ResultsValue.SCHEMA, Outcome.getClassSchema())
                .getType()).isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

    static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Schema without(Schema record, String name) {
        List<Schema.Field> fields = record.getFields().stream().filter(f -> !f.name().equals(name))
                .map(f -> new Schema.Field(f, f.schema())).toList();
        return Schema.createRecord(record.getName(), record.getDoc(), record.getNamespace(), false, fields);
    }

    private static Schema earlierBatch(Schema earlierRequest) {
        Schema batch = RequestBatch.getClassSchema();
        Schema.Field requests = batch.getField("requests");
        return Schema.createRecord(batch.getName(), batch.getDoc(), batch.getNamespace(), false,
                List.of(new Schema.Field(requests.name(), Schema.createArray(earlierRequest), requests.doc())));
    }

    private static Outcome outcome(String requestId) {
        return Outcome.newBuilder()
                .setRequestId(requestId)
                .setStatus(OutcomeStatus.COMMITTED)
                .setVersions(List.of(new KeyVersion("k-" + requestId, 3L, 7, 42L)))
                .setTimestampMs(1_700_000_000_000L)
                .build();
    }

    private static Request request(String id, String key, String value) {
        return Request.newBuilder()
                .setRequestId(id)
                .setReplyTo(new ReplyTo("client", 3))
                .setOps(List.of(new Operation(key, new Put(value))))
                .setTimestampMs(1_700_000_000_000L)
                .build();
    }
}
