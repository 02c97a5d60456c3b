package io.kvpipe.producers.cli;

import io.kvpipe.producers.client.ExpectedVersion;
import io.kvpipe.producers.client.KvClient;
import io.kvpipe.producers.client.WriteResult;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "cas", description = "Set KEY to VALUE only if KEY has the expected version (or is absent).",
        mixinStandardHelpOptions = true, sortOptions = false)
final class CasCommand extends WriteCommand {

    @Parameters(index = "0", paramLabel = "KEY")
    String key;

    @Parameters(index = "1", paramLabel = "VALUE")
    String value;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Expectation expectation;

    static final class Expectation {
        @Option(names = "--expect-version", paramLabel = "N", description = "KEY must have version N.")
        Long version;

        @Option(names = "--expect-absent", description = "KEY must not exist.")
        boolean absent;
    }

    @Override
    String key() {
        return key;
    }

    @Override
    CompletableFuture<WriteResult> send(KvClient client) {
        ExpectedVersion expected = expectation.version != null
                ? ExpectedVersion.of(expectation.version)
                : ExpectedVersion.absent();
        return client.compareAndSet(key, expected, value);
    }
}
