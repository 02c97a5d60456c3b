package io.kvpipe.schemas.serde;

import io.kvpipe.schemas.testing.InMemorySchemaRegistry;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.avro.Operation;
import io.kvpipe.avro.Put;
import io.kvpipe.avro.ReplyTo;
import io.kvpipe.avro.Request;
import io.kvpipe.avro.RequestBatch;
import io.kvpipe.schemas.RequestsValue;
import io.kvpipe.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;

/** Requests-topic values: plain requests as before, batches under the union, both read by one reader. */
class RequestsWriterTest {

    private static final String TOPIC = Topics.defaults().requests();

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final RequestsWriter writer = new RequestsWriter(registry, TOPIC, true);
    private final AvroDeserializer<Object> reader = new AvroDeserializer<>(registry, RequestsValue.SCHEMA);

    @Test
    void aSingleRequestIsWrittenUnderTheUnionSchemaAsItsRequestBranch() {
        Request request = request("r-1", "k", "v");
        request.setSentToParticipants(true);

        byte[] single = writer.single(writer.encode(request));

        assertThat(single).isEqualTo(new AvroSerializer<Object>(registry, false, RequestsValue.SCHEMA)
                .serialize(TOPIC, request));
        assertThat(single).hasSize(RequestsWriter.singleSize(writer.encode(request).length));
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

        assertThat(batch).hasSize(RequestsWriter.batchSize(200, bodyBytes));
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
        // next one's no freshId.
        Schema earlierUnion = Schema.createUnion(first, earlierBatch(first));
        Schema withoutFreshId = without(Request.getClassSchema(), "freshId");
        Schema previousUnion = Schema.createUnion(withoutFreshId, earlierBatch(withoutFreshId));

        assertThat(RequestsValue.versions()).containsExactly(first, RequestsValue.SCHEMA);
        assertThat(Topics.defaults().valueSchemas().get(TOPIC)).isEqualTo(RequestsValue.SCHEMA);
        assertThat(first.getField("sentToParticipants")).isNull();
        assertThat(first.getField("freshId")).isNull();
        assertThat(first.getFields()).hasSize(Request.getClassSchema().getFields().size() - 2);
        // The registry finds version 1 by its text: it must stay the text registered then (this is
        // the SHA-256 of FIRST_REQUEST's text as c7b92c8 built it, before Request grew freshId).
        assertThat(sha256(first.toString())).isEqualTo("ca4a07504db4772cca3432957a418f604e30d549ce1e5b3793455668d9d263d6");
        // BACKWARD: the current union reads what every earlier version wrote.
        for (Schema writer : List.of(first, earlierUnion, previousUnion)) {
            assertThat(SchemaCompatibility.checkReaderWriterCompatibility(RequestsValue.SCHEMA, writer).getType())
                    .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        }
        // Why the plain Request is not registered again: after a union it cannot read the batches.
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(Request.getClassSchema(), earlierUnion)
                .getType()).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
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

    private static Request request(String id, String key, String value) {
        return Request.newBuilder()
                .setRequestId(id)
                .setReplyTo(new ReplyTo("client", 3))
                .setOps(List.of(new Operation(key, new Put(value))))
                .setTimestampMs(1_700_000_000_000L)
                .build();
    }
}
