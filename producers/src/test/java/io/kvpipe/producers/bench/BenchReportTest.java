package io.kvpipe.producers.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvpipe.producers.client.RejectReason;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class BenchReportTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LoadRun.Settings SETTINGS = new LoadRun.Settings(1000, 100, 2, 10, 100);

    private static LoadRun.Result result(long committed, long rejected, long aborted, double seconds,
            Map<RejectReason, Long> rejects, Map<RejectReason, Long> aborts) {
        Histogram latencies = new Histogram(3);
        latencies.recordValue(2_000);
        latencies.recordValue(9_000);
        LoadRun.LatencySplit split = new LoadRun.LatencySplit(new Histogram(3), new Histogram(3));
        split.untilDecidedMs().recordValue(3);
        split.afterDecidedMs().recordValue(5);
        return new LoadRun.Result(committed, rejected, aborted, 0, seconds, latencies, split, 10, 1000, rejects, aborts, 0,
                null);
    }

    @Test
    void withoutTransactionModesTheJsonIsTheSingleKeyFigures() throws Exception {
        Bench.Report report = new Bench.Report(SETTINGS, 150, true, result(1000, 0, 0, 0.5, Map.of(), Map.of()), 4000, 3000,
                List.of());
        JsonNode json = JSON.readTree(report.toJson());
        assertThat(json.get("throughput_ops_s").asDouble()).isEqualTo(2000.0);
        assertThat(json.get("ratio_vs_raw").asDouble()).isEqualTo(0.5);
        assertThat(json.get("ratio_vs_peer").asDouble()).isEqualTo(0.6667);
        assertThat(json.get("batched_outcomes").asBoolean()).isTrue();
        assertThat(json.get("until_decided_p50_ms").asLong()).isEqualTo(3);
        assertThat(json.get("after_decided_p99_ms").asLong()).isEqualTo(5);
        assertThat(report.toTable()).contains("150-byte requests, outcomes in batches");
        assertThat(json.fieldNames()).toIterable().contains("p50_ms", "p99_ms", "raw_producer_records_s",
                "peer_streams_records_s").noneMatch(name -> name.startsWith("txn") || name.startsWith("ratio_txn"));
    }

    @Test
    void eachTransactionModeHasItsFiguresAndItsRatioToSingleKeyWrites() throws Exception {
        TransactionRun txn2 = new TransactionRun(2, 1.0, 30, result(990, 0, 10, 1.0, Map.of(),
                Map.of(RejectReason.LOCK_CONFLICT, 9L, RejectReason.TIMEOUT, 1L)));
        TransactionRun txn4 = new TransactionRun(4, 0.5, 10, result(0, 1000, 0, 2.0,
                Map.of(RejectReason.INVALID_REQUEST, 1000L), Map.of()));
        Bench.Report report = new Bench.Report(SETTINGS, 150, false, result(1000, 0, 0, 0.5, Map.of(), Map.of()), 4000, 3000,
                List.of(txn2, txn4));

        JsonNode json = JSON.readTree(report.toJson());
        assertThat(json.get("throughput_ops_s").asDouble()).isEqualTo(2000.0);
        JsonNode two = json.get("txn2");
        assertThat(two.get("throughput_txn_s").asDouble()).isEqualTo(990.0); // committed ones only
        assertThat(two.get("key_writes_s").asDouble()).isEqualTo(1980.0);
        assertThat(two.get("committed").asLong()).isEqualTo(990);
        assertThat(two.get("aborted").asLong()).isEqualTo(10);
        assertThat(two.get("transactions").asLong()).isEqualTo(1000);
        assertThat(json.get("in_flight").asInt()).isEqualTo(10); // the single-key writes' concurrency
        assertThat(two.get("in_flight").asInt()).isEqualTo(30); // and each mode's own
        assertThat(json.get("txn4").get("in_flight").asInt()).isEqualTo(10);
        assertThat(report.toTable()).contains("from 2 clients (10 outstanding each)")
                .contains("0 failed; 30 outstanding per client)");
        assertThat(two.get("aborts_by_reason").get("LOCK_CONFLICT").asLong()).isEqualTo(9);
        assertThat(two.get("aborts_by_reason").get("TIMEOUT").asLong()).isEqualTo(1);
        assertThat(two.get("p50_ms").asDouble()).isEqualTo(2.0);
        assertThat(two.get("p99_ms").asDouble()).isBetween(8.99, 9.01);
        assertThat(two.get("after_decided_p50_ms").asLong()).isEqualTo(5);
        JsonNode four = json.get("txn4");
        assertThat(four.get("throughput_txn_s").asDouble()).isZero();
        assertThat(four.get("cross_share").asDouble()).isEqualTo(0.5);
        assertThat(four.get("rejects_by_reason").get("INVALID_REQUEST").asLong()).isEqualTo(1000);
        assertThat(json.get("ratio_txn2_vs_single").asDouble()).isEqualTo(0.495);
        assertThat(json.get("ratio_txn4_vs_single").asDouble()).isZero();

        assertThat(json.get("batched_outcomes").asBoolean()).isFalse();
        assertThat(report.toTable()).contains("one outcome record each", "2-key txns, 100% cross", "[LOCK_CONFLICT 9, TIMEOUT 1]",
                "4-key txns, 50% cross", "= 0.495 of single-key writes");
    }

    @Test
    void transactionSettingsAreChecked() {
        assertThatThrownBy(() -> new TransactionSettings(List.of(2, 2), 1.0, 10, 100, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TransactionSettings(List.of(65), 1.0, 10, 100, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TransactionSettings(List.of(2), -0.1, 10, 100, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TransactionSettings(List.of(4), 1.0, 10, 100, 1).checkAgainst(3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the pipeline has 3");
        new TransactionSettings(List.of(4), 0.0, 10, 100, 1).checkAgainst(3); // one partition each: fine
    }
}
