package io.kvpipe.app.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.app.topology.StoreNames;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class PipelineRocksDBConfigTest {

    static {
        RocksDB.loadLibrary();
    }

    @Test
    void onlyTheKvStoresMemtablesShrinkAndGetFiltersOnTheLastLevel() {
        try (Options kv = new Options(); Options dedup = new Options(); Options segment = new Options()) {
            long rocksDefault = dedup.writeBufferSize();
            PipelineRocksDBConfig setter = new PipelineRocksDBConfig();

            kv.setOptimizeFiltersForHits(true); // as Kafka Streams sets it before the setter runs
            setter.setConfig(StoreNames.KV, kv, Map.of());
            setter.setConfig(StoreNames.DEDUP, dedup, Map.of());
            // A window store's segments are named after the store; they keep the defaults too.
            setter.setConfig(StoreNames.DEDUP + ".1765065600000", segment, Map.of());

            assertThat(kv.writeBufferSize()).isEqualTo(PipelineRocksDBConfig.KV_WRITE_BUFFER_BYTES);
            assertThat(dedup.writeBufferSize()).isEqualTo(rocksDefault);
            assertThat(segment.writeBufferSize()).isEqualTo(rocksDefault);
            assertThat(kv.optimizeFiltersForHits()).isFalse();
            dedup.setOptimizeFiltersForHits(true); // as Kafka Streams sets it before the setter runs
            setter.setConfig(StoreNames.DEDUP, dedup, Map.of());
            assertThat(dedup.optimizeFiltersForHits()).isTrue();
        }
    }
}
