package io.kvpipe.producers.cli;

import io.kvpipe.producers.client.KvClient;
import io.kvpipe.producers.client.WriteResult;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "add", description = {"Add DELTA (a signed 64-bit integer, e.g. 5 or -50) to the number at KEY (absent counts as 0).",
        "With --floor F the add is rejected (BELOW_FLOOR) if the result would fall below F."},
        mixinStandardHelpOptions = true, sortOptions = false)
final class AddCommand extends WriteCommand {

    @Parameters(index = "0", paramLabel = "KEY")
    String key;

    @Parameters(index = "1", paramLabel = "DELTA")
    long delta;

    @Option(names = "--floor", paramLabel = "F", description = "The lowest value the result may have.")
    Long floor;

    @Override
    String key() {
        return key;
    }

    @Override
    CompletableFuture<WriteResult> send(KvClient client) {
        return floor == null ? client.add(key, delta) : client.add(key, delta, floor);
    }
}
