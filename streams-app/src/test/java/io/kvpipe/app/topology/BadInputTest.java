package io.kvpipe.app.topology;

import static io.kvpipe.app.topology.Requests.REPLY_PARTITION;
import static io.kvpipe.app.topology.Requests.cas;
import static io.kvpipe.app.topology.Requests.put;
import static io.kvpipe.app.topology.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvpipe.avro.ChangeEvent;
import io.kvpipe.avro.DeadLetter;
import io.kvpipe.avro.DeadLetterReason;
import io.kvpipe.avro.Operation;
import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.OutcomeStatus;
import io.kvpipe.avro.RejectReason;
import io.kvpipe.avro.Request;
import io.kvpipe.schemas.Limits;
import io.kvpipe.schemas.serde.AvroSerializer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input of every kind is dead-lettered with its reason and original bytes, rejected where the
 * request could be read far enough to know whom to tell, and never stops the processing of the
 * records after it.
 */
class BadInputTest extends PipelineTest {

    /** One kind of bad record: how to make its bytes, and what must come of it. */
    record BadRecord(String name, Function<Pipeline, byte[][]> keyAndValue, DeadLetterReason reason,
                     boolean answered, String detailSays) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<BadRecord> badRecords() {
        String key = Keys.here("k:");
        List<String> many = Keys.on(Keys.HERE, "many:", Limits.MAX_OPS + 1);
        return Stream.of(
                undecodable("garbage bytes", p -> "definitely not avro".getBytes(StandardCharsets.UTF_8),
                        "magic byte"),
                undecodable("shorter than the header", p -> new byte[] {0, 0}, "5-byte header"),
                undecodable("wrong magic byte", p -> {
                    byte[] bytes = p.encode(request("r", put(key, "v")));
                    bytes[0] = 1;
                    return bytes;
                }, "magic byte 1"),
                new BadRecord("unknown schema id", p -> keyed(key, withSchemaId(p.encode(request("r", put(key, "v"))), 999)),
                        DeadLetterReason.UNKNOWN_SCHEMA, false, "999"),
                new BadRecord("a schema id of a Protobuf schema", p -> {
                    p.registry.unusable(777);
                    return keyed(key, withSchemaId(p.encode(request("r", put(key, "v"))), 777));
                }, DeadLetterReason.UNKNOWN_SCHEMA, false, "PROTOBUF"),
                new BadRecord("a request id too long to key an outcome", p -> keyed(key,
                        p.encode(request("r".repeat(Limits.MAX_REQUEST_ID_BYTES + 1), put(key, "v")))),
                        DeadLetterReason.MALFORMED_REQUEST, false, "request id is 1025 bytes"),
                undecodable("a known header then bytes that are not Avro", p -> {
                    byte[] bytes = Arrays.copyOf(p.encode(request("r", put(key, "v"))), 5 + 12);
                    Arrays.fill(bytes, 5, bytes.length, (byte) 0xFF);
                    return bytes;
                }, "Could not decode"),
                undecodable("another record type (a ChangeEvent)", p -> new AvroSerializer<ChangeEvent>(p.registry, false)
                        .serialize(p.topics.requests(), new ChangeEvent(key, "v", 1L, "r", null, 0L)), "ChangeEvent"),
                undecodable("a string length far beyond the record", p -> framedRequestSchema(p,
                        avroLong(1_500_000_000L)), "Could not decode"),
                undecodable("an operation count far beyond the record", p -> framedRequestSchema(p,
                        avroLong(1L), new byte[] {'r'}, avroLong(0L), avroLong(1_000_000_000L)), "Could not decode"),
                new BadRecord("a tombstone", p -> keyed(key, null), DeadLetterReason.UNDECODABLE, false, "tombstone"),
                new BadRecord("a key that is not UTF-8", p -> new byte[][] {{(byte) 0xC3, (byte) 0x28},
                        p.encode(request("r", put(key, "v")))}, DeadLetterReason.UNDECODABLE, false, "not valid UTF-8"),
                invalid("an empty key", request("r", put("", "v")), DeadLetterReason.INVALID_KEY, "empty"),
                invalid("a key over 1024 bytes", request("r", put(Keys.hereOfLength(Limits.MAX_KEY_BYTES + 1), "v")),
                        DeadLetterReason.INVALID_KEY, "1025 bytes"),
                invalid("a key over 1024 bytes of UTF-8 in fewer characters",
                        request("r", put("é".repeat(Limits.MAX_KEY_BYTES / 2) + "x", "v")),
                        DeadLetterReason.INVALID_KEY, "1025 bytes"),
                invalid("an oversized put value", request("r", put(key, "v".repeat(Limits.MAX_VALUE_BYTES + 1))),
                        DeadLetterReason.OVERSIZED_VALUE, (Limits.MAX_VALUE_BYTES + 1) + " bytes"),
                invalid("an oversized value in multi-byte characters",
                        request("r", put(key, "é".repeat(Limits.MAX_VALUE_BYTES / 2 + 1))),
                        DeadLetterReason.OVERSIZED_VALUE, (Limits.MAX_VALUE_BYTES + 2) + " bytes"),
                invalid("an oversized compare-and-set value",
                        request("r", cas(key, null, "v".repeat(Limits.MAX_VALUE_BYTES + 1))),
                        DeadLetterReason.OVERSIZED_VALUE, "bytes"),
                invalid("no operations", request("r"), DeadLetterReason.MALFORMED_REQUEST, "no operations"),
                invalid("more than 64 operations",
                        request("r", many.stream().map(k -> put(k, "v")).toArray(Operation[]::new)),
                        DeadLetterReason.MALFORMED_REQUEST, "65 operations"),
                invalid("the same key twice", request("r", put(key, "a"), put(key, "b")),
                        DeadLetterReason.MALFORMED_REQUEST, "already named by op 0"),
                invalid("an empty request id", request("", put(key, "v")), DeadLetterReason.MALFORMED_REQUEST,
                        "request id is empty"),
                invalid("a key of another partition", request("r", put(Keys.elsewhere("k:"), "v")),
                        DeadLetterReason.MALFORMED_REQUEST, "belongs to partition 3"),
                invalid("several keys all of another partition", request("r",
                                put(Keys.on(3, "k:", 2).get(0), "v"), put(Keys.on(3, "k:", 2).get(1), "v")),
                        DeadLetterReason.MALFORMED_REQUEST, "belongs to partition 3"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRecords")
    void isDeadLetteredWithItsReasonAndOriginalBytesAndProcessingGoesOn(BadRecord bad) {
        byte[][] keyAndValue = bad.keyAndValue().apply(pipeline);
        long offset = pipeline.sendRaw(keyAndValue[0], keyAndValue[1]);

        TestRecord<String, DeadLetter> record = pipeline.deadLetters.readRecord();
        DeadLetter letter = record.value();
        assertThat(letter.getReason()).isEqualTo(bad.reason());
        assertThat(letter.getDetail()).contains(bad.detailSays());
        assertThat(bytes(letter.getOriginalKey())).isEqualTo(keyAndValue[0]);
        assertThat(bytes(letter.getOriginalValue())).isEqualTo(keyAndValue[1]);
        assertThat(letter.getSourceTopic()).isEqualTo(pipeline.topics.requests());
        assertThat(letter.getSourcePartition()).isEqualTo(Keys.HERE);
        assertThat(letter.getSourceOffset()).isEqualTo(offset);
        assertThat(letter.getInstanceId()).isEqualTo(Pipeline.INSTANCE);
        assertThat(letter.getTimestampMs()).isEqualTo(Pipeline.START.toEpochMilli());
        assertThat(pipeline.deadLetters.isEmpty()).isTrue();

        List<Pipeline.RoutedReply> replies = pipeline.replies();
        if (bad.answered()) {
            assertThat(replies).singleElement().satisfies(reply -> {
                Outcome outcome = reply.outcome();
                assertThat(reply.partition()).isEqualTo(REPLY_PARTITION);
                assertThat(outcome.getStatus()).isEqualTo(OutcomeStatus.REJECTED);
                assertThat(outcome.getReason()).isEqualTo(RejectReason.INVALID_REQUEST);
                assertThat(outcome.getDetail()).isEqualTo(letter.getDetail());
                assertThat(outcome.getVersions()).isEmpty();
            });
        } else {
            assertThat(replies).isEmpty();
        }
        assertThat(pipeline.changeEvents()).isEmpty();

        String good = Keys.here("after:");
        pipeline.send(request("good", put(good, "still working")));
        assertThat(pipeline.outcome().getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
        assertThat(pipeline.kv().get(good).getValue()).isEqualTo("still working");
    }

    @Test
    void aDeadLetterIsKeyedByTheOriginalKeyOrWhereTheRecordCameFrom() {
        pipeline.sendRaw("routing-key".getBytes(StandardCharsets.UTF_8), new byte[] {1});
        long offset = pipeline.sendRaw(new byte[] {(byte) 0xFF}, new byte[] {1});
        pipeline.sendRaw(null, new byte[] {1});

        assertThat(pipeline.deadLetters.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly(
                "routing-key", pipeline.topics.requests() + "-0@" + offset, pipeline.topics.requests() + "-0@" + (offset + 1));
    }

    @Test
    void aDeadLetterKeepsAtMost512KiBOfValueAnd16KiBOfKeySoItAlwaysFitsARecord() {
        byte[] hugeKey = "k".repeat(20 * 1024).getBytes(StandardCharsets.UTF_8);
        byte[] hugeValue = new byte[1000 * 1024];
        Arrays.fill(hugeValue, (byte) 'x');
        long offset = pipeline.sendRaw(hugeKey, hugeValue);

        TestRecord<String, DeadLetter> record = pipeline.deadLetters.readRecord();
        DeadLetter letter = record.value();
        assertThat(record.key()).isEqualTo(pipeline.topics.requests() + "-0@" + offset);
        assertThat(bytes(letter.getOriginalKey())).isEqualTo(Arrays.copyOf(hugeKey, 16 * 1024));
        assertThat(bytes(letter.getOriginalValue())).isEqualTo(Arrays.copyOf(hugeValue, 512 * 1024));
        assertThat(letter.getDetail())
                .contains("original key cut to its first 16384 of 20480 bytes")
                .contains("original value cut to its first 524288 of 1024000 bytes");
    }

    @Test
    void keysAndValuesAtTheLimitsAreAccepted() {
        String longKey = Keys.hereOfLength(Limits.MAX_KEY_BYTES);
        String largeValue = "é".repeat(Limits.MAX_VALUE_BYTES / 2);

        pipeline.send(request("limits", put(longKey, largeValue)));

        assertThat(pipeline.outcome().getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
        assertThat(pipeline.deadLetters.isEmpty()).isTrue();
        assertThat(pipeline.kv().get(longKey).getValue()).isEqualTo(largeValue);
    }

    @Test
    void aRequestWithoutARoutingKeyIsJudgedByItsOperations() {
        String key = Keys.here("k:");
        pipeline.send(null, request("no-routing-key", put(key, "v")));

        assertThat(pipeline.outcome().getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
    }

    @Test
    void anUnreachableRegistryIsNotBadInputTheRecordFailsAndIsAppliedWhenRetried() {
        String key = Keys.here("k:");
        byte[] value = pipeline.encode(request("r", put(key, "v")));
        byte[] routingKey = key.getBytes(StandardCharsets.UTF_8);
        pipeline.registry.unreachable(true);

        assertThatThrownBy(() -> pipeline.sendRaw(routingKey, value))
                .hasStackTraceContaining(SchemaRegistryUnavailableException.class.getName());
        assertThat(pipeline.deadLetters.isEmpty()).isTrue();
        assertThat(pipeline.results.isEmpty()).isTrue();
        assertThat(pipeline.kv().get(key)).isNull();

        // Under exactly-once the failed record is processed again by the replacement thread; the
        // test driver has no thread to replace, so the test delivers the record again itself.
        pipeline.registry.unreachable(false);
        pipeline.sendRaw(routingKey, value);
        assertThat(pipeline.outcome().getStatus()).isEqualTo(OutcomeStatus.COMMITTED);
        assertThat(pipeline.deadLetters.isEmpty()).isTrue();
    }

    private static BadRecord undecodable(String name, Function<Pipeline, byte[]> value, String detailSays) {
        return new BadRecord(name, p -> keyed(Keys.here("k:"), value.apply(p)), DeadLetterReason.UNDECODABLE, false,
                detailSays);
    }

    private static BadRecord invalid(String name, Request request, DeadLetterReason reason, String detailSays) {
        String routingKey = request.getOps().isEmpty() ? "routing" : request.getOps().get(0).getKey();
        return new BadRecord(name, p -> keyed(routingKey, p.encode(request)), reason, true, detailSays);
    }

    /** The header of a registered Request schema, then {@code parts} as the Avro body. */
    private static byte[] framedRequestSchema(Pipeline p, byte[]... parts) {
        byte[] valid = p.encode(request("r", put(Keys.here("k:"), "v")));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(valid, 0, 5);
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** Avro's zig-zag varint encoding of a long. */
    private static byte[] avroLong(long n) {
        long zigzag = (n << 1) ^ (n >> 63);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        while ((zigzag & ~0x7FL) != 0) {
            out.write((int) ((zigzag & 0x7F) | 0x80));
            zigzag >>>= 7;
        }
        out.write((int) zigzag);
        return out.toByteArray();
    }

    private static byte[][] keyed(String key, byte[] value) {
        return new byte[][] {key.getBytes(StandardCharsets.UTF_8), value};
    }

    private static byte[] withSchemaId(byte[] framed, int schemaId) {
        byte[] copy = framed.clone();
        ByteBuffer.wrap(copy).position(1).putInt(schemaId);
        return copy;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
