package io.kvpipe.producers.cli;

import io.kvpipe.producers.client.KvClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A subcommand that talks to the pipeline through a {@link KvClient} built from the common
 * options ({@code --bootstrap-servers}, {@code --schema-registry-url}, {@code --config},
 * {@code -X}, {@code --topic-prefix}, {@code --timeout}, {@code --client-id}).
 */
abstract class ClientCommand implements Callable<Integer> {

    @ParentCommand
    KvpipeCli cli;

    @Spec
    CommandSpec spec;

    /** A connected client; the caller closes it. */
    protected KvClient connect() {
        return cli.connect();
    }

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
