package io.kvpipe.producers.cli;

/** The CLI's exit codes. */
final class ExitCodes {

    /** Committed (get: found). */
    static final int OK = 0;
    /** Rejected or aborted (get: not found). */
    static final int NO = 1;
    /** Anything else went wrong: bad arguments, unreachable services, timeouts. */
    static final int ERROR = 2;

    private ExitCodes() {}
}
