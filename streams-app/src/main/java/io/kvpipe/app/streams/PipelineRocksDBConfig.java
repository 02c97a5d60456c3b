package io.kvpipe.app.streams;

import io.kvpipe.app.topology.StoreNames;
import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.Options;

/**
 * The RocksDB options the pipeline sets on its stores ({@code rocksdb.config.setter}, unless the
 * application names its own): the {@code kv} store's memtables are 4 MiB instead of Kafka
 * Streams' 16 MiB, and its last level has bloom filters too; every other option, and every other
 * store, keeps Kafka Streams' defaults.
 *
 * <p>Why: a memtable keeps every version written since its last flush, so under single-key writes
 * over a hot set of keys a 16 MiB one holds tens of thousands of entries, mostly old versions of
 * the same keys, and each read and write of a key searches that skip list: a fifth of the stream
 * thread's time (async-profiler, {@code InlineSkipList::FindGreaterOrEqual}). A 4 MiB memtable is
 * a quarter of that, flushed more often, and a flush keeps only the newest version of each key.
 * Measured in the README (Figures, "The two throughput targets").
 *
 * <p>Why the filters: Kafka Streams sets {@code optimize_filters_for_hits}, which leaves the last
 * level (where most keys live) without bloom filters, for stores whose reads mostly find their key.
 * The {@code kv} store is read for every write before it is made, and the first write of a key,
 * like a transaction over keys never written, finds none: each such read searched the last level's
 * index and data blocks, where a filter answers at once. Measured on fresh apps, alternating: the
 * stream thread's CPU per 2-key transaction fell by 8 % (3 of 3 pairs); the filters cost about a
 * byte and a quarter per key.
 *
 * <p>An application with a setter of its own replaces this one; to keep the pipeline's options,
 * call {@link #apply} from it.
 */
public class PipelineRocksDBConfig implements RocksDBConfigSetter {

    /** Memtable size of the {@code kv} store. */
    public static final long KV_WRITE_BUFFER_BYTES = 4L * 1024 * 1024;

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        apply(storeName, options);
    }

    /** Sets the pipeline's options for {@code storeName} on {@code options}. */
    public static void apply(String storeName, Options options) {
        if (StoreNames.KV.equals(storeName)) {
            options.setWriteBufferSize(KV_WRITE_BUFFER_BYTES);
            options.setOptimizeFiltersForHits(false);
        }
    }

    @Override
    public void close(String storeName, Options options) {
        // Nothing allocated here: Kafka Streams owns and closes the options.
    }
}
