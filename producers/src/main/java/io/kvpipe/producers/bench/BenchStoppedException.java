package io.kvpipe.producers.bench;

/**
 * A bench run stopped because a request failed (no outcome: a timeout, a send error): its figures
 * would measure nothing. The message says which mode, why, and how many were left unsent.
 */
public final class BenchStoppedException extends RuntimeException {

    BenchStoppedException(String mode, LoadRun.Result result) {
        super("bench stopped: a request of the " + mode + " run failed (" + result.failureMessage() + "); "
                + result.notSent() + " requests of that run were not sent. Is the pipeline (the streams app) running"
                + " on this broker?", result.firstFailure());
    }
}
