package io.kvpipe.producers.client.internals;

/** How a failed request's detail is shown beside the failed op's index, which the line names already. */
public final class FailureDetail {

    private FailureDetail() {}

    /**
     * {@code detail} without its leading {@code "op N: "} when {@code N} is {@code failedOp}: the
     * pipeline starts the detail of an op's failure that way (the detail stands alone in dead
     * letters, which carry no op index), so a line that has said {@code op=N} would say it twice.
     */
    public static String afterOp(String detail, Integer failedOp) {
        if (failedOp == null) {
            return detail;
        }
        String prefix = "op " + failedOp + ": ";
        return detail.startsWith(prefix) ? detail.substring(prefix.length()) : detail;
    }
}
