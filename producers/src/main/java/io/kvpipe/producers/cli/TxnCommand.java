package io.kvpipe.producers.cli;

import io.kvpipe.producers.client.KvClient;
import io.kvpipe.producers.client.Op;
import io.kvpipe.producers.client.WriteResult;
import io.kvpipe.producers.client.internals.Validation;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code txn}: several ops that commit together or not at all, on any partitions. */
@Command(name = "txn", description = {"Commit the ops together or not at all (a transaction; keys may live on any partitions).",
        "OP is one of:",
        "  put:KEY=VALUE          set KEY to VALUE",
        "  del:KEY                delete KEY",
        "  cas:KEY@N=VALUE        set KEY to VALUE if KEY is at version N (cas:KEY@absent=VALUE: if absent)",
        "  add:KEY+N, add:KEY-N   add to the number at KEY (absent counts as 0)",
        "  add:KEY-N>=F           ... unless the result would fall below F (quote it: a shell reads '>' as a redirect)",
        "  check:KEY@N            KEY must be at version N (check:KEY@absent: must be absent)",
        "Keys may hold ':' and '@'; in put and cas the key ends at the first '='.",
        "Prints the outcome; with it committed, each op's key and new version."},
        mixinStandardHelpOptions = true, sortOptions = false)
final class TxnCommand extends ClientCommand {

    @Parameters(paramLabel = "OP", arity = "1..*",
            description = "The ops, in order; the first op's key routes the transaction.")
    List<String> specs;

    @Option(names = "--txn-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Abort unless committed within this time, 1ms to 60s (default: the pipeline's). "
                    + "--timeout is how long this command waits.")
    Duration txnTimeout;

    @Option(names = "--request-id", paramLabel = "ID",
            description = "Send under this id: to retry a transaction whose outcome is unknown, with the same ops.")
    String requestId;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        // Bad arguments fail before connecting, not after a connection timeout. (Parsed here rather
        // than by a picocli converter, which would report a bad op as an "unmatched argument".)
        List<Op> ops = TxnOpParser.parseAll(specs);
        Validation.ops(ops);
        if (txnTimeout != null) {
            Validation.transactionTimeout(txnTimeout, KvClient.MAX_TRANSACTION_TIMEOUT);
        }
        if (requestId != null) {
            Validation.requestId(requestId);
        }
        WriteResult result;
        try (KvClient client = connect()) {
            String id = requestId == null ? client.newRequestId() : requestId;
            // The client fails the future when it stops waiting; the margin only guards against a bug.
            result = client.transaction(id, ops, txnTimeout).get(waitMs() + 10_000, TimeUnit.MILLISECONDS);
        }
        out().println(json ? TxnOutput.json(ops, result) : TxnOutput.text(ops, result));
        return result.isCommitted() ? ExitCodes.OK : ExitCodes.NO;
    }

    private long waitMs() {
        long cli = this.cli.timeout().toMillis();
        return txnTimeout == null ? cli : Math.max(cli, txnTimeout.plus(KvClient.ABORT_MARGIN).toMillis());
    }
}
