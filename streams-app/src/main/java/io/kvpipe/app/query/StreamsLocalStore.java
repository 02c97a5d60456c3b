package io.kvpipe.app.query;

import io.kvpipe.app.topology.AppliedOffset;
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
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * {@link LocalStore} over Kafka Streams' interactive queries (IQv2): {@code StateQueryRequest
 * .inStore(store).withQuery(KeyQuery.withKey(key)).withPartitions(Set.of(p))}.
 *
 * <p>A primary read uses {@code requireActive()}, which fails unless the partition's task here is
 * active and its thread RUNNING; otherwise the standby store is read, unless only a primary may answer.
 *
 * <p>A position-bounded read waits by re-reading the same store ({@link PositionWait}): for the
 * offset form, its {@link AppliedOffset} entry until it reaches the offset, then the key; for the
 * version form, the key until it reaches the version. Both work alike on a primary, a replica and a
 * store rebuilt from its changelog, since the entry travels in the changelog with the writes it
 * follows (see {@link AppliedOffset} for why not IQv2 position bounds).
 */
public final class StreamsLocalStore implements LocalStore {

    private final KafkaStreams streams;
    private final String storeName;
    private final PositionWait positionWait = PositionWait.system();

    public StreamsLocalStore(KafkaStreams streams, String storeName) {
        this.streams = streams;
        this.storeName = storeName;
    }

    @Override
    public LocalRead read(String key, int partition, boolean activeOnly, ReadPosition position, Duration wait) {
        try {
            if (position == null) {
                return current(key, partition, activeOnly);
            }
            // The waits poll without the replica's lag, which asks the broker for the changelog's
            // end offsets; the read that answers is made once the position is reached, with it.
            LocalRead reached = position.byVersion()
                    ? positionWait.forVersion(() -> read(key, partition, activeOnly, false), position, wait)
                    : positionWait.forOffset(() -> read(AppliedOffset.KEY, partition, activeOnly, false), position, wait);
            if (reached.outcome() != LocalRead.Outcome.FOUND && reached.outcome() != LocalRead.Outcome.ABSENT) {
                return reached; // behind, or not served here
            }
            // The same store, which can only have moved further.
            return current(key, partition, activeOnly);
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
        return read(key, partition, activeOnly, true);
    }

    /** @param withLag whether a replica's read says how far behind it is (a call to the broker), or null */
    private LocalRead read(String key, int partition, boolean activeOnly, boolean withLag) {
        QueryResult<Object> primary = query(key, partition, true);
        if (primary.isSuccess()) {
            return LocalRead.found(value(primary), true, 0L);
        }
        if (primary.getFailureReason() != FailureReason.NOT_ACTIVE) {
            return notServed(primary);
        }
        if (activeOnly) {
            return LocalRead.notHere("partition " + partition + " is not active and running here");
        }
        QueryResult<Object> replica = query(key, partition, false);
        return replica.isSuccess() ? LocalRead.found(value(replica), false, withLag ? lag(partition) : null)
                : notServed(replica);
    }

    private QueryResult<Object> query(String key, int partition, boolean requireActive) {
        StateQueryRequest<Object> request = StateQueryRequest.inStore(storeName)
                .withQuery(KeyQuery.<String, Object>withKey(key))
                .withPartitions(Set.of(partition));
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

    private Long lag(int partition) {
        try {
            LagInfo info = streams.allLocalStorePartitionLags().getOrDefault(storeName, Map.of()).get(partition);
            return info == null ? null : info.offsetLag();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
