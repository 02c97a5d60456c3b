package io.kvpipe.producers.bench;

import io.kvpipe.producers.client.RejectReason;
import io.kvpipe.producers.client.WriteResult;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/** Counts a run's results by status, and the rejections and aborts by reason; thread-safe. */
final class Tally {

    private final LongAdder committed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final AtomicLongArray rejected = new AtomicLongArray(RejectReason.values().length);
    private final AtomicLongArray aborted = new AtomicLongArray(RejectReason.values().length);

    /** Counts one result, or a failure ({@code result} null: the outcome is unknown). */
    void count(WriteResult result) {
        if (result == null) {
            failed.increment();
            return;
        }
        switch (result.status()) {
            case COMMITTED -> committed.increment();
            case REJECTED -> rejected.incrementAndGet(reason(result));
            case ABORTED -> aborted.incrementAndGet(reason(result));
        }
    }

    private static int reason(WriteResult result) {
        return result.reason().orElse(RejectReason.OTHER).ordinal();
    }

    long committed() {
        return committed.sum();
    }

    long failed() {
        return failed.sum();
    }

    Map<RejectReason, Long> rejectedByReason() {
        return byReason(rejected);
    }

    Map<RejectReason, Long> abortedByReason() {
        return byReason(aborted);
    }

    /** The reasons that occurred, in the enum's order. */
    private static Map<RejectReason, Long> byReason(AtomicLongArray counts) {
        Map<RejectReason, Long> map = new EnumMap<>(RejectReason.class);
        for (RejectReason reason : RejectReason.values()) {
            long n = counts.get(reason.ordinal());
            if (n > 0) {
                map.put(reason, n);
            }
        }
        return Collections.unmodifiableMap(map);
    }

    static long total(Map<RejectReason, Long> byReason) {
        return byReason.values().stream().mapToLong(Long::longValue).sum();
    }
}
