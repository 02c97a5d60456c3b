package io.kvpipe.producers.cli;

import io.kvpipe.producers.client.KvClient;
import io.kvpipe.producers.client.WriteResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A single-key write: sends it, waits for the outcome, prints one line, exits 0 or 1. */
abstract class WriteCommand extends ClientCommand {

    /** The key written, for the output line. */
    abstract String key();

    /** Sends the write. */
    abstract CompletableFuture<WriteResult> send(KvClient client);

    @Override
    public Integer call() throws Exception {
        WriteResult result;
        try (KvClient client = connect()) {
            // The client fails the future at its request timeout; the margin only guards against a bug.
            result = send(client).get(cli.timeout().toMillis() + 10_000, TimeUnit.MILLISECONDS);
        }
        out().println(Output.line(key(), result));
        return result.isCommitted() ? ExitCodes.OK : ExitCodes.NO;
    }
}
