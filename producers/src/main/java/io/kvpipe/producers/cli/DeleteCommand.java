package io.kvpipe.producers.cli;

import io.kvpipe.producers.client.KvClient;
import io.kvpipe.producers.client.WriteResult;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "delete", description = "Remove KEY (committed even if it was absent).", mixinStandardHelpOptions = true,
        sortOptions = false)
final class DeleteCommand extends WriteCommand {

    @Parameters(index = "0", paramLabel = "KEY")
    String key;

    @Override
    String key() {
        return key;
    }

    @Override
    CompletableFuture<WriteResult> send(KvClient client) {
        return client.delete(key);
    }
}
