package io.kvpipe.producers.cli;

import io.kvpipe.producers.client.KvClient;
import io.kvpipe.producers.client.WriteResult;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "put", description = "Set KEY to VALUE.", mixinStandardHelpOptions = true, sortOptions = false)
final class PutCommand extends WriteCommand {

    @Parameters(index = "0", paramLabel = "KEY")
    String key;

    @Parameters(index = "1", paramLabel = "VALUE")
    String value;

    @Override
    String key() {
        return key;
    }

    @Override
    CompletableFuture<WriteResult> send(KvClient client) {
        return client.put(key, value);
    }
}
