package io.kvpipe.app.registry;

/** A version as a request names it: a number in [1, 2^31-1], or "latest" (also spelled -1). */
record VersionId(int number) {

    private static final int LATEST = -1;

    /**
     * Parses a version path segment.
     *
     * @throws RegistryError 42202 if it is neither a positive int nor "latest" / "-1"
     */
    static VersionId parse(String text) {
        if ("latest".equals(text)) {
            return new VersionId(LATEST);
        }
        try {
            int number = Integer.parseInt(text);
            if (number == LATEST || number >= 1) {
                return new VersionId(number);
            }
        } catch (NumberFormatException e) {
            // Not a number: refused below like an out-of-range one.
        }
        throw RegistryError.invalidVersion(text);
    }

    boolean isLatest() {
        return number == LATEST;
    }
}
