package io.kvpipe.app.membership;

import io.kvpipe.app.heartbeat.TaskProgress;
import java.util.List;

/**
 * One instance as its heartbeats show it, judged at the moment of the snapshot.
 *
 * @param endpoint the query server's {@code host:port} (its {@code application.server}), null if not given
 * @param lastBeatMs when the last beat counted (local receive time; a beat replayed at start counts
 *     from its record timestamp), epoch ms
 * @param sequence the last sequence number folded in
 * @param sinceLastBeatMs how old the last beat was at the snapshot
 * @param phi the phi-accrual suspicion level at the snapshot (informational: the status comes from
 *     the fixed thresholds); 0 right after a beat, above 8 means a beat is very overdue
 */
public record Member(String instanceId, String endpoint, long lastBeatMs, long sequence, List<TaskProgress> primaries,
        List<TaskProgress> replicas, MemberStatus status, long sinceLastBeatMs, double phi) {

    public Member {
        primaries = List.copyOf(primaries);
        replicas = List.copyOf(replicas);
    }
}
