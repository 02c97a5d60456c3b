package io.kvpipe.app.streams;

import io.kvpipe.app.topology.StoreNames;
import java.lang.ref.Cleaner;
import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.DataBlockIndexType;
import org.rocksdb.HyperClockCache;
import org.rocksdb.Options;

/**
 * The RocksDB options the pipeline sets on its stores ({@code rocksdb.config.setter}, unless the
 * application names its own), all on the {@code kv} store: 4 MiB memtables instead of Kafka
 * Streams' 16 MiB, bloom filters on its last level too, a hash index in its data blocks, and a
 * {@link HyperClockCache} as its block cache instead of Kafka Streams' LRU cache of the same size.
 * Every other option, and every other store, keeps Kafka Streams' defaults.
 *
 * <p>Why the memtables: a memtable keeps every version written since its last flush, so under
 * single-key writes over a hot set of keys a 16 MiB one holds tens of thousands of entries, mostly
 * old versions of the same keys, and each read and write of a key searches that skip list: a fifth
 * of the stream thread's time (async-profiler, {@code InlineSkipList::FindGreaterOrEqual}). A 4 MiB
 * memtable is a quarter of that, flushed more often, and a flush keeps only the newest version of
 * each key. Measured in the README (Figures, "The two throughput targets").
 *
 * <p>Why the filters: Kafka Streams sets {@code optimize_filters_for_hits}, which leaves the last
 * level (where most keys live) without bloom filters, for stores whose reads mostly find their key.
 * The {@code kv} store is read for every write before it is made, and the first write of a key,
 * like a transaction over keys never written, finds none: each such read searched the last level's
 * index and data blocks, where a filter answers at once. Measured on fresh apps, alternating: the
 * stream thread's CPU per 2-key transaction fell by 8 % (3 of 3 pairs); the filters cost about a
 * byte and a quarter per key.
 *
 * <p>Why the hash index and the cache: once most keys a workload touches exist, a read finds its
 * key in a file, and a profile of the stream thread under steady transactions put 4.6 % of it in
 * the LRU cache's lookups (a mutex and a hash chain per block) and 2.7 % in binary searches within
 * data blocks. The hash index finds a key in its block at once (about a byte per key); the
 * HyperClockCache is RocksDB's lock-free cache. Its auto-sized form (an estimated entry charge of 0)
 * is still marked experimental in the javadoc of RocksJava 10.1.3, the version Kafka Streams ships;
 * RocksDB declared it production-ready and preferred in 10.7. Measured on fresh apps, alternating:
 * the stream thread's CPU per 2-key transaction in a steady state fell by 7 % (lower in 6 of 6
 * pairs); see the README.
 *
 * <p>An application with a setter of its own replaces this one; to keep the pipeline's options,
 * extend this class or delegate to an instance of it, calling both {@link #setConfig} and
 * {@link #close} (the block cache is this instance's to close).
 */
public class PipelineRocksDBConfig implements RocksDBConfigSetter {

    /** Memtable size of the {@code kv} store. */
    public static final long KV_WRITE_BUFFER_BYTES = 4L * 1024 * 1024;

    /** Block cache of each {@code kv} store: the size of Kafka Streams' own (its {@code BLOCK_CACHE_SIZE}). */
    public static final long KV_BLOCK_CACHE_BYTES = 50L * 1024 * 1024;

    /**
     * Closes a block cache whose setter was dropped unclosed: Kafka Streams calls {@link #close} only
     * for a store that opened, so a store whose open fails after {@link #setConfig} (a corrupted task
     * under exactly-once, a state directory that cannot be created) would leak its cache.
     */
    private static final Cleaner CLEANER = Cleaner.create();

    /** Closes the {@code kv} store's block cache, created by {@link #setConfig}; null for other stores. */
    private Cleaner.Cleanable blockCache;

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        // Kafka Streams' table config (it always sets one), changed in place: it reads the cache back
        // from it for its metrics. apply hands it to the options.
        if (StoreNames.KV.equals(storeName) && options.tableFormatConfig() instanceof BlockBasedTableConfig table) {
            closeBlockCache(); // one per open, should a caller reuse an instance
            // An estimated entry charge of 0 lets the cache size its table itself (RocksDB's AutoHyperClockCache).
            Cache cache = new HyperClockCache(KV_BLOCK_CACHE_BYTES, 0, -1, false);
            blockCache = CLEANER.register(this, cache::close);
            table.setBlockCache(cache);
        }
        apply(storeName, options);
    }

    /**
     * Sets the pipeline's options for {@code storeName} on {@code options}, all but the block cache
     * (which needs closing, see {@link #close}): for a setter that keeps its own cache.
     */
    public static void apply(String storeName, Options options) {
        if (StoreNames.KV.equals(storeName)) {
            options.setWriteBufferSize(KV_WRITE_BUFFER_BYTES);
            options.setOptimizeFiltersForHits(false);
            if (options.tableFormatConfig() instanceof BlockBasedTableConfig table) {
                table.setDataBlockIndexType(DataBlockIndexType.kDataBlockBinaryAndHash);
                options.setTableFormatConfig(table);
            }
        }
    }

    @Override
    public void close(String storeName, Options options) {
        // Kafka Streams closes the options (and its own LRU cache, left unused); the HyperClockCache is
        // ours. Closing its handle before the database closes is safe: the database holds its own
        // reference to the cache until then.
        closeBlockCache();
    }

    private void closeBlockCache() {
        if (blockCache != null) {
            blockCache.clean();
            blockCache = null;
        }
    }
}
