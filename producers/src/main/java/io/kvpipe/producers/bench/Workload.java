package io.kvpipe.producers.bench;

import io.kvpipe.producers.client.KvClient;
import io.kvpipe.producers.client.Op;
import io.kvpipe.producers.client.WriteResult;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/** What a {@link LoadRun} sends: request number {@code i} of the run, from one load thread. */
@FunctionalInterface
public interface Workload {

    /**
     * Sends one request.
     *
     * @param random this load thread's own generator
     */
    CompletableFuture<WriteResult> send(KvClient client, int i, SplittableRandom random);

    /** Single-key puts, cycling over keys {@code key-0 .. key-(keys-1)}. */
    static Workload puts(int keys, int valueBytes) {
        String value = "v".repeat(valueBytes);
        return (client, i, random) -> client.put("key-" + (i % keys), value);
    }

    /**
     * Transactions that put a value to each of the keys {@code keys} picks, with the pipeline's
     * default timeout. They are not retried: an abort is counted as what it is.
     */
    static Workload transactions(TransactionKeys keys, int valueBytes) {
        String value = "v".repeat(valueBytes);
        return (client, i, random) -> {
            List<String> picked = keys.pick(random, client.requestPartitions());
            List<Op> ops = new ArrayList<>(picked.size());
            for (String key : picked) {
                ops.add(Op.put(key, value));
            }
            return client.transaction(ops);
        };
    }
}
