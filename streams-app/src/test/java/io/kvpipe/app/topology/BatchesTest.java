package io.kvpipe.app.topology;

import static io.kvpipe.app.topology.Requests.REPLY_PARTITION;
import static io.kvpipe.app.topology.Requests.add;
import static io.kvpipe.app.topology.Requests.cas;
import static io.kvpipe.app.topology.Requests.put;
import static io.kvpipe.app.topology.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.avro.ChangeEvent;
import io.kvpipe.avro.DeadLetter;
import io.kvpipe.avro.DeadLetterReason;
import io.kvpipe.avro.KeyVersion;
import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.OutcomeStatus;
import io.kvpipe.avro.RejectReason;
import io.kvpipe.avro.Request;
import io.kvpipe.schemas.Limits;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code RequestBatch} record is processed as its requests one after the other, each as if it
 * were a record of its own at the batch's offset: own outcome, change events, dedup and failure.
 */
class BatchesTest {

    @TempDir
    Path stateDir;

    @TempDir
    Path otherStateDir;

    private Pipeline pipeline;
    private final String a = Keys.on(Keys.HERE, "a:", 1).get(0);
    private final String b = Keys.on(Keys.HERE, "b:", 1).get(0);
    private final String c = Keys.on(Keys.HERE, "c:", 1).get(0);

    @AfterEach
    void stop() {
        pipeline.close();
    }

    @Test
    void eachRequestOfABatchGetsItsOwnOutcomeAndChangesAtTheBatchOffset() {
        pipeline = new Pipeline(stateDir);
        long offset = pipeline.sendBatch(
                request("r1", put(a, "1")),
                request("r2", 7, put(b, "2"), add(c, 5)),
                request("r3", put(a, "3")));

        List<Pipeline.RoutedReply> replies = pipeline.replies();
        assertThat(replies).extracting(Pipeline.RoutedReply::key).containsExactly("r1", "r2", "r3");
        assertThat(replies).extracting(Pipeline.RoutedReply::partition).containsExactly(REPLY_PARTITION, 7, REPLY_PARTITION);
        assertThat(replies).extracting(r -> r.outcome().getStatus()).containsOnly(OutcomeStatus.COMMITTED);
        assertThat(replies.get(0).outcome().getVersions()).containsExactly(new KeyVersion(a, 1L, Keys.HERE, offset));
        assertThat(replies.get(1).outcome().getVersions()).containsExactly(
                new KeyVersion(b, 1L, Keys.HERE, offset), new KeyVersion(c, 1L, Keys.HERE, offset));
        assertThat(replies.get(2).outcome().getVersions()).containsExactly(new KeyVersion(a, 2L, Keys.HERE, offset));
        assertThat(pipeline.changeEvents()).extracting(ChangeEvent::getKey, ChangeEvent::getValue,
                        ChangeEvent::getVersion, ChangeEvent::getRequestId)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(a, "1", 1L, "r1"),
                        org.assertj.core.groups.Tuple.tuple(b, "2", 1L, "r2"),
                        org.assertj.core.groups.Tuple.tuple(c, "5", 1L, "r2"),
                        org.assertj.core.groups.Tuple.tuple(a, "3", 2L, "r3"));
        assertThat(pipeline.kv().get(a).getValue()).isEqualTo("3");
        assertThat(pipeline.dedup().get("r1")).isEqualTo(replies.get(0).outcome());
        assertThat(pipeline.dedup().get("r2")).isEqualTo(replies.get(1).outcome());
        assertThat(pipeline.deadLetters.isEmpty()).isTrue();
    }

    @Test
    void aBatchOfOneBehavesExactlyAsThePlainRequest() {
        Request request = request("one", put(a, "v"), add(b, 2));
        pipeline = new Pipeline(stateDir);
        long offset = pipeline.sendBatch(request);
        List<TestRecord<String, Outcome>> batched = pipeline.results.readRecordsToList();
        List<TestRecord<String, ChangeEvent>> batchedChanges = pipeline.changes.readRecordsToList();
        List<Integer> batchedPartitions = pipeline.replyPartitions();

        try (Pipeline plain = new Pipeline(otherStateDir)) {
            assertThat(plain.send(request)).isEqualTo(offset);
            assertThat(plain.results.readRecordsToList()).isEqualTo(batched);
            assertThat(plain.changes.readRecordsToList()).isEqualTo(batchedChanges);
            assertThat(plain.replyPartitions()).isEqualTo(batchedPartitions);
            assertThat(plain.kv().get(a)).isEqualTo(pipeline.kv().get(a));
            assertThat(plain.kv().get(b)).isEqualTo(pipeline.kv().get(b));
            assertThat(plain.dedup().get("one")).isEqualTo(pipeline.dedup().get("one"));
        }
    }

    @Test
    void requestsOfABatchSucceedAndFailIndependently() {
        pipeline = new Pipeline(stateDir);
        long offset = pipeline.sendBatch(
                request("ok-1", put(a, "1")),
                request("bad-key", put("", "x")),
                request("mismatch", cas(b, 4L, "x")),
                request("misrouted", put(Keys.elsewhere("k:"), "x")),
                request("ok-2", put(b, "2")));

        List<Outcome> outcomes = pipeline.results.readValuesToList();
        assertThat(outcomes).extracting(Outcome::getRequestId)
                .containsExactly("ok-1", "bad-key", "mismatch", "misrouted", "ok-2");
        assertThat(outcomes).extracting(Outcome::getStatus).containsExactly(OutcomeStatus.COMMITTED,
                OutcomeStatus.REJECTED, OutcomeStatus.REJECTED, OutcomeStatus.REJECTED, OutcomeStatus.COMMITTED);
        assertThat(outcomes).extracting(Outcome::getReason).containsExactly(null, RejectReason.INVALID_REQUEST,
                RejectReason.VERSION_MISMATCH, RejectReason.INVALID_REQUEST, null);
        assertThat(pipeline.kv().get(a).getValue()).isEqualTo("1");
        assertThat(pipeline.kv().get(b).getValue()).isEqualTo("2");
        assertThat(pipeline.changeEvents()).extracting(ChangeEvent::getRequestId).containsExactly("ok-1", "ok-2");

        List<DeadLetter> letters = pipeline.deadLetters.readValuesToList();
        assertThat(letters).extracting(DeadLetter::getReason)
                .containsExactly(DeadLetterReason.INVALID_KEY, DeadLetterReason.MALFORMED_REQUEST);
        assertThat(letters.get(0).getDetail()).startsWith("request 1 of a batch of 5 (request id 'bad-key'): ")
                .contains("the key is empty");
        assertThat(letters.get(1).getDetail()).startsWith("request 3 of a batch of 5 (request id 'misrouted'): ")
                .contains("belongs to partition 3");
        assertThat(letters).allSatisfy(letter -> assertThat(letter.getSourceOffset()).isEqualTo(offset));
        // The outcome's detail is the request's own, as for a plain request.
        assertThat(outcomes.get(1).getDetail()).doesNotContain("batch").contains("the key is empty");
    }

    @Test
    void requestIdsAreDeduplicatedWithinABatchAndAcrossRecords() {
        pipeline = new Pipeline(stateDir);
        pipeline.send(request("first", add(a, 1)));
        Outcome first = pipeline.outcome();

        pipeline.sendBatch(request("first", add(a, 1)), request("twice", add(b, 1)), request("twice", add(b, 1)));

        List<Outcome> outcomes = pipeline.results.readValuesToList();
        assertThat(outcomes.get(0)).isEqualTo(first);
        assertThat(outcomes.get(2)).isEqualTo(outcomes.get(1));
        assertThat(pipeline.kv().get(a).getValue()).isEqualTo("1");
        assertThat(pipeline.kv().get(b).getValue()).isEqualTo("1");
        assertThat(pipeline.changeEvents()).hasSize(2);
    }

    @Test
    void anEmptyBatchIsDeadLetteredAndProcessingGoesOn() {
        pipeline = new Pipeline(stateDir);
        byte[] empty = pipeline.encodeBatch(List.of());
        long offset = pipeline.sendRaw(null, empty);
        pipeline.send(request("after", put(a, "v")));

        DeadLetter letter = pipeline.deadLetters.readValue();
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.MALFORMED_REQUEST);
        assertThat(letter.getDetail()).contains("no requests");
        assertThat(letter.getSourceOffset()).isEqualTo(offset);
        assertThat(bytes(letter.getOriginalValue())).isEqualTo(empty);
        assertThat(pipeline.outcome().getRequestId()).isEqualTo("after");
    }

    @Test
    void aBatchOverTheLimitIsDeadLetteredOnceAndEachRequestRejected() {
        pipeline = new Pipeline(stateDir);
        List<Request> requests = new ArrayList<>();
        for (int i = 0; i <= Limits.MAX_BATCH_REQUESTS; i++) {
            requests.add(request("r" + i, put(a, "v")));
        }
        pipeline.sendRaw(null, pipeline.encodeBatch(requests));

        DeadLetter letter = pipeline.deadLetters.readValue();
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.MALFORMED_REQUEST);
        assertThat(letter.getDetail()).contains((Limits.MAX_BATCH_REQUESTS + 1) + " requests");
        assertThat(pipeline.deadLetters.isEmpty()).isTrue();
        List<Outcome> outcomes = pipeline.results.readValuesToList();
        assertThat(outcomes).hasSize(Limits.MAX_BATCH_REQUESTS + 1)
                .allSatisfy(o -> assertThat(o.getReason()).isEqualTo(RejectReason.INVALID_REQUEST));
        assertThat(pipeline.kv().get(a)).isNull();
        assertThat(pipeline.changeEvents()).isEmpty();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
