package io.kvpipe.app.query;

import io.kvpipe.avro.VersionedValue;
import io.kvpipe.schemas.ReadPosition;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.LagInfo;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.UnknownStateStoreException;
import org.apache.kafka.streams.query.FailureReason;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * {@link LocalStore} over Kafka Streams' interactive queries (IQv2): {@code StateQueryRequest
 * .inStore(store).withQuery(KeyQuery.withKey(key)).withPartitions(Set.of(p))}.
 *
 * <p>A primary read uses {@code requireActive()}, which fails unless the partition's task here is
 * active and its thread RUNNING. Kafka Streams ignores the position bound of a {@code
 * requireActive()} request, so a position-bounded read first waits with an unrestricted query
 * bounded by {@code PositionBound.at(Position.fromMap(Map.of(requestsTopic, Map.of(p, offset))))},
 * retried with a short back-off until it succeeds or the wait ends, and then reads the value with
 * {@code requireActive()} from the same store, which can only have moved further.
 *
 * <p>Standby stores know their position only if Kafka Streams writes it into the changelog: set
 * {@code StreamsConfig.InternalConfig.IQ_CONSISTENCY_OFFSET_VECTOR_ENABLED} ({@code
 * __iq.consistency.offset.vector.enabled__}) to true, or position-bounded reads on replicas always
 * time out. The store's position moves only when a record writes to it, so the position to wait for
 * must be one that wrote to the store (what a committed write reports).
 *
 * <p>The version form of a position ({@code <partition>:v<version>}, for commits that wrote
 * nothing at a known offset) is waited for by re-reading the key, see {@link VersionWait}.
 */
public final class StreamsLocalStore implements LocalStore {

    private final KafkaStreams streams;
    private final String storeName;
    private final String requestsTopic;
    private final VersionWait versionWait = VersionWait.system();

    public StreamsLocalStore(KafkaStreams streams, String storeName, String requestsTopic) {
        this.streams = streams;
        this.storeName = storeName;
        this.requestsTopic = requestsTopic;
    }

    @Override
    public LocalRead read(String key, int partition, boolean activeOnly, ReadPosition position, Duration wait) {
        try {
            if (position == null) {
                return current(key, partition, activeOnly);
            }
            if (position.byVersion()) {
                return versionWait.await(() -> current(key, partition, activeOnly), position, wait);
            }
            if (activeOnly) {
                // Do not wait for a position on a store that could not answer anyway.
                QueryResult<Object> probe = query(key, partition, true, PositionBound.unbounded());
                if (probe.isFailure()) {
                    return probe.getFailureReason() == FailureReason.NOT_ACTIVE
                            ? LocalRead.notHere("partition " + partition + " is not active and running here")
                            : notServed(probe);
                }
            }
            QueryResult<Object> bounded = awaitPosition(key, partition, position, wait);
            if (bounded.isFailure()) {
                return bounded.getFailureReason() == FailureReason.NOT_UP_TO_BOUND
                        ? LocalRead.behind("the store of partition " + partition + " here has not reached "
                                + position + " within " + wait.toMillis() + " ms (it is at "
                                + applied(bounded.getPosition(), partition) + ")")
                        : notServed(bounded);
            }
            return current(key, partition, activeOnly, bounded);
        } catch (UnknownStateStoreException e) {
            return LocalRead.failed(e.getMessage());
        } catch (InvalidStateStoreException e) {
            // Not started yet, stopped, or the store is closed for a rebalance.
            return LocalRead.notHere("Kafka Streams cannot serve queries here: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return LocalRead.failed("interrupted while waiting for position " + position);
        }
    }

    /** Reads the key now: from the active store if it is here, else (unless activeOnly) the standby. */
    private LocalRead current(String key, int partition, boolean activeOnly) {
        return current(key, partition, activeOnly, null);
    }

    /** @param bounded a position-bounded standby read already made, to answer with if the store is not active */
    private LocalRead current(String key, int partition, boolean activeOnly, QueryResult<Object> bounded) {
        QueryResult<Object> primary = query(key, partition, true, PositionBound.unbounded());
        if (primary.isSuccess()) {
            return LocalRead.found(value(primary), true, 0L);
        }
        if (primary.getFailureReason() != FailureReason.NOT_ACTIVE) {
            return notServed(primary);
        }
        if (activeOnly) {
            return LocalRead.notHere("partition " + partition + " is not active and running here");
        }
        QueryResult<Object> replica = bounded != null ? bounded : query(key, partition, false, PositionBound.unbounded());
        return replica.isSuccess() ? LocalRead.found(value(replica), false, lag(partition)) : notServed(replica);
    }

    private QueryResult<Object> awaitPosition(String key, int partition, ReadPosition position, Duration wait)
            throws InterruptedException {
        PositionBound bound = PositionBound.at(Position.fromMap(
                Map.of(requestsTopic, Map.of(position.partition(), position.offset()))));
        long deadline = System.nanoTime() + wait.toNanos();
        long backoffMs = 5;
        while (true) {
            QueryResult<Object> result = query(key, partition, false, bound);
            if (result.isSuccess() || result.getFailureReason() != FailureReason.NOT_UP_TO_BOUND) {
                return result;
            }
            long leftMs = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMs <= 0) {
                return result;
            }
            Thread.sleep(Math.min(backoffMs, leftMs));
            backoffMs = Math.min(backoffMs * 2, 50);
        }
    }

    private QueryResult<Object> query(String key, int partition, boolean requireActive, PositionBound bound) {
        StateQueryRequest<Object> request = StateQueryRequest.inStore(storeName)
                .withQuery(KeyQuery.<String, Object>withKey(key))
                .withPartitions(Set.of(partition))
                .withPositionBound(bound);
        if (requireActive) {
            request = request.requireActive();
        }
        QueryResult<Object> result = streams.query(request).getPartitionResults().get(partition);
        return result != null ? result
                : QueryResult.forFailure(FailureReason.NOT_PRESENT, "no result for partition " + partition);
    }

    private static LocalRead notServed(QueryResult<?> result) {
        String why = result.getFailureReason() + ": " + result.getFailureMessage();
        return switch (result.getFailureReason()) {
            case NOT_ACTIVE, NOT_PRESENT, DOES_NOT_EXIST -> LocalRead.notHere(why);
            default -> LocalRead.failed(why);
        };
    }

    private static VersionedValue value(QueryResult<Object> result) {
        Object value = result.getResult();
        if (value instanceof ValueAndTimestamp<?> timestamped) {
            value = timestamped.value();
        }
        return (VersionedValue) value;
    }

    private String applied(Position position, int partition) {
        if (position == null) {
            return "no known position";
        }
        Long offset = position.getPartitionPositions(requestsTopic).get(partition);
        return offset == null ? "no offset of " + requestsTopic + "-" + partition : partition + ":" + offset;
    }

    private Long lag(int partition) {
        try {
            LagInfo info = streams.allLocalStorePartitionLags().getOrDefault(storeName, Map.of()).get(partition);
            return info == null ? null : info.offsetLag();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
