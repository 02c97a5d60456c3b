package io.kvpipe.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.avro.ProtocolBatch;
import io.kvpipe.avro.ProtocolMessage;
import io.kvpipe.avro.Vote;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;

class ProtocolValueTest {

    @Test
    void theSubjectKeepsItsFirstMessageAndOnlyTheUnionEvolves() throws Exception {
        Schema first = ProtocolValue.FIRST_MESSAGE;
        Schema firstVote = first.getField("body").schema().getTypes().stream()
                .filter(s -> s.getFullName().equals(Vote.getClassSchema().getFullName())).findFirst().orElseThrow();

        assertThat(ProtocolValue.versions()).containsExactly(first, ProtocolValue.SCHEMA);
        assertThat(Topics.defaults().valueSchemas().get(Topics.defaults().txnProtocol())).isEqualTo(ProtocolValue.SCHEMA);
        assertThat(firstVote.getField("deadlineMs")).isNull();
        assertThat(firstVote.getField("replyTo")).isNull();
        // The registry finds version 1 by its text: it must stay the text registered then (this is
        // the SHA-256 of ProtocolMessage's schema text as generated at c7b92c8, before Vote grew).
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(first.toString().getBytes(StandardCharsets.UTF_8))))
                .isEqualTo("ad67f50579b40213baa97950876ad6209c38e9136f53c642318a168ddb3f7296");
        // BACKWARD: the current union reads what every earlier version wrote (the union of the
        // release before held the first message, and batches of it).
        Schema previousUnion = Schema.createUnion(first, batchOf(first));
        for (Schema writer : List.of(first, previousUnion)) {
            assertThat(SchemaCompatibility.checkReaderWriterCompatibility(ProtocolValue.SCHEMA, writer).getType())
                    .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        }
        // And a participant of the release before reads a vote of this one (a rolling upgrade).
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(previousUnion, ProtocolValue.SCHEMA).getType())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

    private static Schema batchOf(Schema message) {
        Schema batch = ProtocolBatch.getClassSchema();
        Schema.Field messages = batch.getField("messages");
        return Schema.createRecord(batch.getName(), batch.getDoc(), batch.getNamespace(), false,
                List.of(new Schema.Field(messages.name(), Schema.createArray(message), messages.doc())));
    }

    @Test
    void aMessageOrABatchFlattensToItsMessages() {
        ProtocolMessage message = new ProtocolMessage("t", 0, 1, 5L, new io.kvpipe.avro.Decision(true, List.of("k")));
        assertThat(ProtocolValue.messages(message)).containsExactly(message);
        assertThat(ProtocolValue.messages(new ProtocolBatch(List.of(message, message)))).hasSize(2);
    }
}
