package io.kvpipe.app;

/** Turns an exception chain into the one line a person needs. */
public final class Failures {

    private Failures() {}

    /** The innermost cause's message (or its class name when it has none). */
    public static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
