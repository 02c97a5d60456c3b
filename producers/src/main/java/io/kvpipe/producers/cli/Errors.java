package io.kvpipe.producers.cli;

import io.kvpipe.producers.bench.BenchStoppedException;
import io.kvpipe.producers.client.KvClientException;
import io.kvpipe.producers.client.RequestTimeoutException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** One line for an error: the message that explains it, without a stack trace. */
final class Errors {

    private Errors() {}

    static String oneLine(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        String message;
        if (t instanceof RequestTimeoutException) {
            message = "timeout: " + t.getMessage();
        } else if (t instanceof KvClientException || t instanceof IllegalArgumentException
                || t instanceof CliException || t instanceof BenchStoppedException) {
            message = t.getMessage();
        } else {
            message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": "
                    + t.getMessage();
        }
        return message == null ? t.getClass().getSimpleName() : message.replaceAll("\\s*\\R\\s*", " ");
    }
}
