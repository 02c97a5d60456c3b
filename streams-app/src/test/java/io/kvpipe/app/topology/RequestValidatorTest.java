package io.kvpipe.app.topology;

import static io.kvpipe.app.topology.Requests.put;
import static io.kvpipe.app.topology.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.avro.DeadLetterReason;
import io.kvpipe.avro.Operation;
import io.kvpipe.avro.Put;
import io.kvpipe.avro.Request;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cases the wire cannot carry (a generated class holds them only if built by hand), and the routing rules. */
class RequestValidatorTest {

    private final RequestValidator validator = new RequestValidator(Keys.PARTITIONS, TopologySettings.MAX_TRANSACTION_TIMEOUT);
    private final String key = Keys.here("k:");

    @Test
    void anUnrecognisedActionIsMalformed() {
        Request request = request("r", new Operation(key, "an action from a newer client"));

        assertThat(validator.validate(request, Keys.HERE)).hasValueSatisfying(invalid -> {
            assertThat(invalid.deadLetterReason()).isEqualTo(DeadLetterReason.MALFORMED_REQUEST);
            assertThat(invalid.detail()).contains("unrecognised action java.lang.String");
            assertThat(invalid.failedOp()).isZero();
        });
        assertThat(validator.validate(request("r", new Operation(key, null)), Keys.HERE))
                .hasValueSatisfying(invalid -> assertThat(invalid.deadLetterReason())
                        .isEqualTo(DeadLetterReason.MALFORMED_REQUEST));
    }

    @Test
    void aPutWithoutAValueIsMalformed() {
        Put put = new Put();
        assertThat(validator.validate(request("r", new Operation(key, put)), Keys.HERE))
                .hasValueSatisfying(invalid -> assertThat(invalid.detail()).contains("without a value"));
    }

    @Test
    void aNullRequestIdOrOpListIsMalformed() {
        Request noId = request("r", put(key, "v"));
        noId.setRequestId(null);
        Request noOps = request("r", put(key, "v"));
        noOps.setOps(null);

        assertThat(validator.validate(noId, Keys.HERE)).hasValueSatisfying(invalid ->
                assertThat(invalid.deadLetterReason()).isEqualTo(DeadLetterReason.MALFORMED_REQUEST));
        assertThat(validator.validate(noOps, Keys.HERE)).hasValueSatisfying(invalid ->
                assertThat(invalid.deadLetterReason()).isEqualTo(DeadLetterReason.MALFORMED_REQUEST));
    }

    @Test
    void aTransactionOverSeveralPartitionsMustArriveOnThePartitionOfItsFirstKey() {
        List<String> keys = List.of(Keys.on(1, "k:", 1).get(0), Keys.on(2, "k:", 1).get(0));
        Request request = request("r", put(keys.get(0), "a"), put(keys.get(1), "b"));

        assertThat(validator.validate(request, 1)).isEmpty();
        assertThat(validator.crossesPartitions(request)).isTrue();
        for (int arrivedOn : new int[] {0, 2}) {
            assertThat(validator.validate(request, arrivedOn)).hasValueSatisfying(invalid -> {
                assertThat(invalid.deadLetterReason()).isEqualTo(DeadLetterReason.MALFORMED_REQUEST);
                assertThat(invalid.detail()).contains("belongs to partition 1", "arrived on partition " + arrivedOn);
            });
        }
    }

    @Test
    void aTimeoutMustBePositiveAndWithinTheLongestAllowed() {
        Request request = request("r", put(key, "a"));
        long max = TopologySettings.MAX_TRANSACTION_TIMEOUT.toMillis();

        request.setTimeoutMs((int) max);
        assertThat(validator.validate(request, Keys.HERE)).isEmpty();
        for (int bad : new int[] {0, -5, (int) max + 1}) {
            request.setTimeoutMs(bad);
            assertThat(validator.validate(request, Keys.HERE)).hasValueSatisfying(invalid ->
                    assertThat(invalid.detail()).contains("the timeout is " + bad + " ms"));
        }
    }

    @Test
    void aValidRequestOnItsOwnPartitionPasses() {
        List<String> keys = Keys.on(4, "k:", 3);
        Request request = request("r", put(keys.get(0), "a"), put(keys.get(1), "b"), put(keys.get(2), "c"));

        assertThat(validator.validate(request, 4)).isEmpty();
        assertThat(validator.validate(request, 0)).isPresent();
    }

    @Test
    void badInputInAnyOpIsFoundBeforeTheRouting() {
        Request request = request("r", put(key, "a"), put(Keys.elsewhere("k:"), "b"), put("", "c"));

        assertThat(validator.validate(request, Keys.HERE)).hasValueSatisfying(invalid -> {
            assertThat(invalid.deadLetterReason()).isEqualTo(DeadLetterReason.INVALID_KEY);
            assertThat(invalid.failedOp()).isEqualTo(2);
        });
    }
}
