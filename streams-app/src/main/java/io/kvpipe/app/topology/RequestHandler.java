package io.kvpipe.app.topology;

import io.kvpipe.avro.DeadLetterReason;
import io.kvpipe.avro.Operation;
import io.kvpipe.avro.Outcome;
import io.kvpipe.avro.RejectReason;
import io.kvpipe.avro.Request;
import io.kvpipe.avro.VersionedValue;
import io.kvpipe.schemas.Limits;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Handles the requests of one partition (for {@link TaskProcessor}): decode, validate, deduplicate, then decide and apply in
 * one step (keys of this partition only) or start a two-phase commit as coordinator (keys of
 * several partitions, see {@link Coordinator}), and publish change events and the outcome; or, for
 * a partition's copy of a transaction coordinated elsewhere, prepare this partition's share and vote
 * (see {@link Participant}). A record holds one request or a batch of them;
 * each request of a batch goes through the same steps, in order, as if it were a record of its own
 * at the batch's offset. See {@link RequestTopology} for the promise.
 */
final class RequestHandler {

    private final TopologySettings settings;
    private final RequestDecoder decoder;
    private final RequestValidator validator;
    private final KeyValueStore<String, VersionedValue> kv;
    private final DedupLog dedup;
    private final TaskOutput output;
    private final Participant participant;
    private final Coordinator coordinator;
    private final UnbegunAborts unbegun;
    private final AppliedOffset applied;

    RequestHandler(TopologySettings settings, TaskState state) {
        this.settings = settings;
        this.decoder = new RequestDecoder(settings.registry());
        this.validator = new RequestValidator(settings.requestPartitions(), settings.maxTransactionTimeout());
        this.kv = state.kv();
        this.applied = state.applied();
        this.dedup = state.dedup();
        this.output = state.output();
        this.participant = state.participant();
        this.coordinator = state.coordinator();
        this.unbegun = state.unbegun();
    }

    /** One record of the requests topic, read from {@code source}, at wall-clock time {@code nowMs}. */
    void handle(Record<byte[], byte[]> record, RecordMetadata source, long nowMs) {
        RequestDecoder.Decoding decoding = decoder.decode(source.topic(), record.key(), record.value());
        if (decoding instanceof RequestDecoder.Undecodable bad) {
            output.deadLetter(record, source, bad.reason(), bad.detail(), nowMs);
            return;
        }
        RequestDecoder.Decoded decoded = (RequestDecoder.Decoded) decoding;
        List<Request> requests = decoded.requests();
        if (!decoded.batch()) {
            processOne(record, source, requests.get(0), 0, 0, nowMs);
            return;
        }
        int count = requests.size();
        if (count == 0) {
            output.deadLetter(record, source, DeadLetterReason.MALFORMED_REQUEST, "the batch holds no requests", nowMs);
            return;
        }
        if (count > Limits.MAX_BATCH_REQUESTS) {
            String detail = "the batch holds " + count + " requests, more than the limit of "
                    + Limits.MAX_BATCH_REQUESTS;
            output.deadLetter(record, source, DeadLetterReason.MALFORMED_REQUEST, detail, nowMs);
            for (Request request : requests) {
                output.reply(request, Outcomes.rejected(request, RejectReason.INVALID_REQUEST, null, detail, nowMs),
                        record.timestamp());
            }
            return;
        }
        for (int i = 0; i < count; i++) {
            processOne(record, source, requests.get(i), i, count, nowMs);
        }
    }

    /**
     * One request, alone in its record ({@code batchSize} 0) or request {@code index} of a batch
     * (said in its dead letter, whose original bytes are the whole record's); the same steps either way.
     */
    private void processOne(Record<byte[], byte[]> record, RecordMetadata source, Request request, int index,
                            int batchSize, long nowMs) {
        Optional<RequestValidator.Invalid> invalid = validator.validate(request, source.partition());
        if (invalid.isPresent()) {
            RequestValidator.Invalid why = invalid.get();
            if (why.deadLettered()) {
                String detail = batchSize == 0 ? why.detail() : "request " + index + " of a batch of " + batchSize
                        + " (request id " + Text.quote(request.getRequestId()) + "): " + why.detail();
                output.deadLetter(record, source, why.deadLetterReason(), detail, nowMs);
            }
            if (why.answerable()) {
                output.reply(request, Outcomes.rejected(request, RejectReason.INVALID_REQUEST, why.failedOp(),
                        why.detail(), nowMs), record.timestamp());
            }
            return;
        }

        boolean transaction = request.getOps().size() > 1;
        if (transaction && request.getSentToParticipants()
                && TransactionShares.coordinator(request.getOps(), settings.requestPartitions()) != source.partition()) {
            prepareCopy(request, source.partition(), nowMs);
            return;
        }
        // A fresh id was made for this one record (see the schema), so it has no earlier outcome to
        // find: the search, a RocksDB seek in each segment of the dedup store, was a seventh of the
        // stream thread under single-key writes. A fresh cross-partition transaction is searched only
        // where its votes may have come first and aborted it at their deadline (UnbegunAborts).
        boolean crosses = transaction && validator.crossesPartitions(request);
        boolean search = !request.getFreshId()
                || crosses && unbegun.mayHaveAborted(request.getRequestId(), nowMs);
        byte[] first = search ? dedup.find(request.getRequestId(), nowMs) : null;
        if (first != null) {
            output.replyRemembered(request, first, record.timestamp());
            return;
        }
        if (transaction && coordinator.inFlight(request.getRequestId())) {
            // A repeat of a transaction still in flight: its outcome goes to the first one's reply
            // partition when it is decided, and a later repeat finds it remembered.
            return;
        }
        if (crosses) {
            coordinator.begin(request, nowMs + timeoutMs(request), nowMs, record.timestamp());
            return;
        }
        output.answer(request, apply(record, request, source, nowMs), record.timestamp());
    }

    /**
     * This partition's copy of a transaction its first key's partition coordinates (the client sent
     * it here too): prepare this partition's share and vote. Its outcome is the coordinator's to
     * remember and send, so nothing here looks it up.
     */
    private void prepareCopy(Request request, int partition, long nowMs) {
        List<Operation> ops = request.getOps();
        int partitions = settings.requestPartitions();
        List<Integer> indexes = TransactionShares.indexesOn(ops, partition, partitions);
        participant.prepare(request.getRequestId(), request.getRequestId(), TransactionShares.coordinator(ops, partitions),
                TransactionShares.opsAt(ops, indexes), indexes, nowMs + timeoutMs(request), request.getReplyTo(), nowMs);
    }

    private long timeoutMs(Request request) {
        return request.getTimeoutMs() != null ? request.getTimeoutMs() : settings.transactionTimeout().toMillis();
    }

    /** Decides and applies a request whose keys are all this partition's, in this one step. */
    private Outcome apply(Record<byte[], byte[]> record, Request request, RecordMetadata source, long nowMs) {
        List<Operation> ops = request.getOps();
        for (int i = 0; i < ops.size(); i++) {
            String holder = participant.lockHolder(ops.get(i).getKey());
            if (holder != null) {
                // Never applied around a prepared transaction's lock: its staged write could still commit.
                return Outcomes.rejected(request, RejectReason.LOCK_CONFLICT, i, "op " + i + ": the key "
                        + Text.quote(ops.get(i).getKey()) + " is locked by transaction " + Text.quote(holder)
                        + ", which is waiting for its decision", nowMs);
            }
        }
        OnePhaseCommit.Decision decision = OnePhaseCommit.decide(ops, kv::get, request.getRequestId(),
                source.partition(), source.offset(), nowMs);
        if (decision instanceof OnePhaseCommit.Reject reject) {
            return Outcomes.rejected(request, reject.reason(), reject.failedOp(), reject.detail(), nowMs);
        }
        OnePhaseCommit.Commit commit = (OnePhaseCommit.Commit) decision;
        for (OnePhaseCommit.Write write : commit.writes()) {
            applied.put(write.key(), write.state());
        }
        for (OnePhaseCommit.Write write : commit.writes()) {
            output.change(write.key(), write.state(), record.timestamp());
        }
        return Outcomes.committed(request.getRequestId(), ops.size() > 1 ? request.getRequestId() : null,
                commit.versions(), nowMs);
    }
}
