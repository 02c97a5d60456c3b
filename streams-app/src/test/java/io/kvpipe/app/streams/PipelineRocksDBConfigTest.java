package io.kvpipe.app.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvpipe.app.topology.StoreNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.streams.state.internals.BlockBasedTableConfigWithAccessibleCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Cache;
import org.rocksdb.DataBlockIndexType;
import org.rocksdb.FlushOptions;
import org.rocksdb.HyperClockCache;
import org.rocksdb.LRUCache;
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

    @Test
    void theKvStoreGetsAHashIndexInItsDataBlocksAndAHyperClockCacheThatItsSetterCloses(@TempDir Path dir)
            throws Exception {
        try (Options kv = new Options(); Options dedup = new Options(); LRUCache streamsCache = new LRUCache(1024)) {
            // As Kafka Streams prepares the options before the setter runs: its table config (the class
            // it reads the cache back from for its metrics), with its LRU cache.
            kv.setTableFormatConfig(new BlockBasedTableConfigWithAccessibleCache().setBlockCache(streamsCache));
            dedup.setTableFormatConfig(new BlockBasedTableConfigWithAccessibleCache().setBlockCache(streamsCache));
            kv.setCreateIfMissing(true);
            PipelineRocksDBConfig kvSetter = new PipelineRocksDBConfig();
            PipelineRocksDBConfig dedupSetter = new PipelineRocksDBConfig();

            kvSetter.setConfig(StoreNames.KV, kv, Map.of());
            dedupSetter.setConfig(StoreNames.DEDUP, dedup, Map.of());

            var kvTable = (BlockBasedTableConfigWithAccessibleCache) kv.tableFormatConfig();
            assertThat(kvTable.dataBlockIndexType()).isEqualTo(DataBlockIndexType.kDataBlockBinaryAndHash);
            Cache kvCache = kvTable.blockCache();
            assertThat(kvCache).isInstanceOf(HyperClockCache.class);
            var dedupTable = (BlockBasedTableConfigWithAccessibleCache) dedup.tableFormatConfig();
            assertThat(dedupTable.dataBlockIndexType()).isEqualTo(DataBlockIndexType.kDataBlockBinarySearch);
            assertThat(dedupTable.blockCache()).isSameAs(streamsCache);

            try (RocksDB db = RocksDB.open(kv, dir.toString())) {
                // Kafka Streams closes the setter before the database: the database keeps the cache.
                kvSetter.close(StoreNames.KV, kv);
                dedupSetter.close(StoreNames.DEDUP, dedup);
                assertThat(kvCache.isOwningHandle()).as("the kv store's cache handle is closed with its setter").isFalse();
                assertThat(streamsCache.isOwningHandle()).as("Kafka Streams' cache is Kafka Streams' to close").isTrue();

                db.put("k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
                try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
                    db.flush(flush);
                }
                assertThat(db.get("k".getBytes(StandardCharsets.UTF_8))).isEqualTo("v".getBytes(StandardCharsets.UTF_8));
                // What the running database uses, not only what the options object holds.
                assertThat(db.getProperty("rocksdb.block-cache-entry-stats")).startsWith("Block cache AutoHyperClockCache@");
                assertThat(db.getLongProperty("rocksdb.block-cache-capacity"))
                        .isEqualTo(PipelineRocksDBConfig.KV_BLOCK_CACHE_BYTES);
            }
        }
    }

    @Test
    void aSetterUsedForASecondOpenClosesTheCacheOfTheFirst() {
        try (Options first = new Options(); Options second = new Options()) {
            first.setTableFormatConfig(new BlockBasedTableConfigWithAccessibleCache());
            second.setTableFormatConfig(new BlockBasedTableConfigWithAccessibleCache());
            PipelineRocksDBConfig setter = new PipelineRocksDBConfig();

            setter.setConfig(StoreNames.KV, first, Map.of());
            Cache firstCache = ((BlockBasedTableConfigWithAccessibleCache) first.tableFormatConfig()).blockCache();
            setter.setConfig(StoreNames.KV, second, Map.of());
            Cache secondCache = ((BlockBasedTableConfigWithAccessibleCache) second.tableFormatConfig()).blockCache();

            assertThat(firstCache.isOwningHandle()).isFalse();
            assertThat(secondCache.isOwningHandle()).isTrue();
            setter.close(StoreNames.KV, second);
            assertThat(secondCache.isOwningHandle()).isFalse();
        }
    }
}
