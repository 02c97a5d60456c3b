package io.kvpipe.producers.cli;

/** An error the CLI explains in its own words (an unreadable file, an unreachable query server...). */
final class CliException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    CliException(String message) {
        super(message);
    }

    CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
