package io.kvpipe.app.topology;

import static io.kvpipe.app.topology.Requests.REPLY_PARTITION;
import static io.kvpipe.app.topology.Requests.add;
import static io.kvpipe.app.topology.Requests.put;
import static io.kvpipe.app.topology.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.kvpipe.avro.KeyVersion;
import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.OutcomeBatch;
import io.kvpipe.avro.OutcomeStatus;
import io.kvpipe.avro.RejectReason;
import io.kvpipe.avro.ReplyTo;
import io.kvpipe.avro.Request;
import io.kvpipe.schemas.Limits;
import io.kvpipe.schemas.ResultsValue;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Outcomes of requests that ask for batched outcomes leave as one {@code OutcomeBatch} per client
 * and step, keyed by the client id; everything else about them (dedup, content, partition) is as
 * for an outcome alone. Requests that do not ask (clients before batches) get theirs alone.
 */
class OutcomeBatchesTest extends PipelineTest {

    private final List<String> keys = Keys.on(Keys.HERE, "k:", 3);
    private final List<String> onThree = Keys.on(3, "k:", 2);

    @Test
    void theOutcomesOfOneClientsRequestsInOneStepAreOneRecordKeyedByTheClient() {
        pipeline.sendBatch(
                batched(request("r1", put(keys.get(0), "a"))),
                batched(request("r2", put(keys.get(1), "b"), add(keys.get(2), 5))),
                batched(request("r3", add(keys.get(0), 1))));

        List<Pipeline.RoutedValue> records = pipeline.resultRecords();
        assertThat(records).extracting(Pipeline.RoutedValue::key, Pipeline.RoutedValue::partition)
                .containsExactly(tuple("client-1", REPLY_PARTITION));
        List<Outcome> outcomes = ((OutcomeBatch) records.get(0).value()).getOutcomes();
        assertThat(outcomes).extracting(Outcome::getRequestId, Outcome::getStatus).containsExactly(
                tuple("r1", OutcomeStatus.COMMITTED), tuple("r2", OutcomeStatus.COMMITTED),
                tuple("r3", OutcomeStatus.REJECTED));
        assertThat(outcomes.get(2).getReason()).isEqualTo(RejectReason.NOT_A_NUMBER);
        // Each is remembered alone, and a retry gets it alone, keyed by its request id.
        assertThat(pipeline.dedup().get("r2")).isEqualTo(outcomes.get(1));
        pipeline.send(batched(request("r2", put(keys.get(1), "b"), add(keys.get(2), 5))));
        List<Pipeline.RoutedValue> retry = pipeline.resultRecords();
        assertThat(retry).extracting(Pipeline.RoutedValue::key, Pipeline.RoutedValue::value,
                Pipeline.RoutedValue::partition).containsExactly(tuple("r2", outcomes.get(1), REPLY_PARTITION));
    }

    @Test
    void eachClientGetsItsOwnBatchAtItsOwnReplyPartition() {
        pipeline.sendBatch(
                batched(request("a1", put(keys.get(0), "a"))),
                batched(withReplyTo(request("b1", put(keys.get(1), "b")), "client-2", 7)),
                batched(request("a2", put(keys.get(2), "c"))),
                batched(withReplyTo(request("b2", put(keys.get(0), "d")), "client-2", 7)));

        List<Pipeline.RoutedValue> records = pipeline.resultRecords();
        assertThat(records).extracting(Pipeline.RoutedValue::key, Pipeline.RoutedValue::partition)
                .containsExactly(tuple("client-1", REPLY_PARTITION), tuple("client-2", 7));
        assertThat(ResultsValue.outcomes(records.get(0).value())).extracting(Outcome::getRequestId)
                .containsExactly("a1", "a2");
        assertThat(ResultsValue.outcomes(records.get(1).value())).extracting(Outcome::getRequestId)
                .containsExactly("b1", "b2");
    }

    @Test
    void requestsThatDoNotAskForBatchesGetTheirOutcomesAloneAsBefore() {
        pipeline.sendBatch(
                request("old-1", put(keys.get(0), "a")),
                batched(request("new-1", put(keys.get(1), "b"))),
                request("old-2", put(keys.get(2), "c")));

        List<Pipeline.RoutedValue> records = pipeline.resultRecords();
        // The lone batched outcome goes alone too, and only at the end of the step.
        assertThat(records).extracting(Pipeline.RoutedValue::key).containsExactly("old-1", "old-2", "new-1");
        assertThat(records).allSatisfy(r -> {
            assertThat(r.value()).isInstanceOf(Outcome.class);
            assertThat(((Outcome) r.value()).getRequestId()).isEqualTo(r.key());
        });
        // A reader of Outcome alone (a client before batches) reads them all.
        pipeline.sendBatch(request("old-3", put(keys.get(0), "d")), request("old-4", put(keys.get(1), "e")));
        assertThat(pipeline.results.readValuesToList()).extracting(Outcome::getRequestId)
                .containsExactly("old-3", "old-4");
    }

    @Test
    void transactionsDecidedInOneProtocolStepAreOneBatchAndARetryInTheSameStepGetsItsOutcomeAlone() {
        String here = keys.get(0);
        String here2 = keys.get(1);
        pipeline.sendBatch(batched(request("t1", put(here, "a"), put(onThree.get(0), "b"))),
                batched(request("t2", put(here2, "c"), put(onThree.get(1), "d"))));
        assertThat(pipeline.resultRecords()).as("nothing before the votes").isEmpty();
        pipeline.protocolSent();

        pipeline.sendProtocolBatch(TwoPhaseCommitTest.yes("t1", 3, new KeyVersion(onThree.get(0), 1L, 3, -1L)),
                TwoPhaseCommitTest.yes("t2", 3, new KeyVersion(onThree.get(1), 1L, 3, -1L)));

        List<Pipeline.RoutedValue> records = pipeline.resultRecords();
        assertThat(records).extracting(Pipeline.RoutedValue::key, Pipeline.RoutedValue::partition)
                .containsExactly(tuple("client-1", REPLY_PARTITION));
        List<Outcome> outcomes = ResultsValue.outcomes(records.get(0).value());
        assertThat(outcomes).extracting(Outcome::getRequestId, Outcome::getStatus)
                .containsExactly(tuple("t1", OutcomeStatus.COMMITTED), tuple("t2", OutcomeStatus.COMMITTED));

        // A step that answers a request and then meets it again (a retry in the same batch): the
        // retry finds the outcome remembered at once and gets it alone; the batch follows.
        pipeline.sendBatch(batched(request("r1", put(here, "e"))), batched(request("r1", put(here, "e"))),
                batched(request("r2", put(here2, "f"))));
        List<Pipeline.RoutedValue> step = pipeline.resultRecords();
        assertThat(step).extracting(Pipeline.RoutedValue::key).containsExactly("r1", "client-1");
        assertThat(ResultsValue.outcomes(step.get(1).value())).extracting(Outcome::getRequestId)
                .containsExactly("r1", "r2");
        assertThat(step.get(0).value()).isEqualTo(ResultsValue.outcomes(step.get(1).value()).get(0));
        assertThat(pipeline.kv().get(here).getVersion()).as("r1 applied once").isEqualTo(2L);
    }

    @Test
    void outcomesOfAbortsAtTheDeadlineLeaveFromThePunctuationInOneBatch() {
        pipeline.sendBatch(batched(request("t1", put(keys.get(0), "a"), put(onThree.get(0), "b"))),
                batched(request("t2", put(keys.get(1), "c"), put(onThree.get(1), "d"))));
        pipeline.protocolSent();

        pipeline.advance(TopologySettings.DEFAULT_TRANSACTION_TIMEOUT.plusMillis(200));

        List<Pipeline.RoutedValue> records = pipeline.resultRecords();
        assertThat(records).extracting(Pipeline.RoutedValue::key).containsExactly("client-1");
        assertThat(ResultsValue.outcomes(records.get(0).value())).extracting(Outcome::getRequestId,
                Outcome::getReason).containsExactly(tuple("t1", RejectReason.TIMEOUT), tuple("t2", RejectReason.TIMEOUT));
        assertThat(pipeline.protocolSent()).as("the aborts, sent by the punctuation too")
                .extracting(m -> m.getTargetPartition()).containsExactly(3, 3);
    }

    @Test
    void aClientIdLongerThanARequestIdMayBeGetsItsOutcomesAlone() {
        String longId = "c".repeat(Limits.MAX_REQUEST_ID_BYTES + 1);
        pipeline.sendBatch(batched(withReplyTo(request("l1", put(keys.get(0), "a")), longId, 7)),
                batched(withReplyTo(request("l2", put(keys.get(1), "b")), longId, 7)));

        assertThat(pipeline.resultRecords()).extracting(Pipeline.RoutedValue::key, Pipeline.RoutedValue::partition)
                .containsExactly(tuple("l1", 7), tuple("l2", 7));
    }

    @Test
    void aBatchIsCutBeforeItExceedsItsSizeLimitAndKeepsItsOrder() {
        byte[] a = new byte[40];
        byte[] b = new byte[50];
        byte[] c = new byte[20];
        byte[] huge = new byte[300];
        byte[] d = new byte[10];

        assertThat(TaskOutput.batches(List.of(a, b, c, huge, d), 100))
                .containsExactly(List.of(a, b), List.of(c), List.of(huge), List.of(d));
        assertThat(TaskOutput.batches(List.of(a, b), 90)).containsExactly(List.of(a, b));
        assertThat(TaskOutput.batches(List.of(), 90)).isEmpty();
    }

    private static Request batched(Request request) {
        request.setBatchedOutcomes(true);
        return request;
    }

    private static Request withReplyTo(Request request, String clientId, int partition) {
        request.setReplyTo(new ReplyTo(clientId, partition));
        return request;
    }
}
