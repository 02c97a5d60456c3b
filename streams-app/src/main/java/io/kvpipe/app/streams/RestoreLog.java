package io.kvpipe.app.streams;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs each store restoration of this instance's active tasks (store, changelog partition, how
 * many records, how long) and counts the records restored per store. After a clean restart a
 * store comes back from its local checkpoint and restores nothing; a large count then means the
 * local state was lost or wiped (for example a store closed without a committed offset, which
 * exactly-once treats as corrupt), which an operator wants to see.
 */
public final class RestoreLog implements StateRestoreListener {

    private static final Logger log = LoggerFactory.getLogger(RestoreLog.class);

    private final Map<String, LongAdder> restored = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> startedAtNanos = new ConcurrentHashMap<>();

    @Override
    public void onRestoreStart(TopicPartition partition, String storeName, long startingOffset, long endingOffset) {
        startedAtNanos.put(partition, System.nanoTime());
        log.info("Restoring store {} from {} offsets {} to {}", storeName, partition, startingOffset, endingOffset);
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String storeName, long batchEndOffset, long numRestored) {
        restored.computeIfAbsent(storeName, s -> new LongAdder()).add(numRestored);
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String storeName, long totalRestored) {
        Long started = startedAtNanos.remove(partition);
        long millis = started == null ? -1 : (System.nanoTime() - started) / 1_000_000;
        log.info("Restored store {} from {}: {} records in {} ms", storeName, partition, totalRestored, millis);
    }

    @Override
    public void onRestoreSuspended(TopicPartition partition, String storeName, long totalRestored) {
        startedAtNanos.remove(partition);
        log.info("Restoration of store {} from {} suspended (task moved) after {} records", storeName, partition,
                totalRestored);
    }

    /** Records restored so far, per store name, since this instance started. */
    public Map<String, Long> restoredRecords() {
        Map<String, Long> counts = new TreeMap<>();
        restored.forEach((store, count) -> counts.put(store, count.sum()));
        return counts;
    }
}
