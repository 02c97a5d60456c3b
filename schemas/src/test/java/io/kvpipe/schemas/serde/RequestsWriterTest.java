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
    void aSingleRequestIsWrittenExactlyAsTheRequestSerializerWritesIt() {
        Request request = request("r-1", "k", "v");

        byte[] single = writer.single(writer.encode(request));

        assertThat(single).isEqualTo(new AvroSerializer<Request>(registry, false).serialize(TOPIC, request));
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
    void theUnionIsBackwardCompatibleWithThePlainRequestSoTheSubjectCanEvolve() {
        Schema before = RequestsValue.versions().get(0);

        assertThat(RequestsValue.versions()).containsExactly(Request.getClassSchema(), RequestsValue.SCHEMA);
        assertThat(Topics.defaults().valueSchemas().get(TOPIC)).isEqualTo(RequestsValue.SCHEMA);
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(RequestsValue.SCHEMA, before).getType())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
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
