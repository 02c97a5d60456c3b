package io.kvpipe.app;

/**
 * Something the app needs at start is missing or unusable (a port in use, a broker or registry
 * that does not answer). The launcher prints the message as one line and exits non-zero, so the
 * message must say what failed and what to do about it.
 */
public class StartupException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
