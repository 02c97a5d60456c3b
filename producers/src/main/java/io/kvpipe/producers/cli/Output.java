package io.kvpipe.producers.cli;

import io.kvpipe.producers.client.WriteResult;
import io.kvpipe.producers.client.WrittenKey;
import java.util.Locale;
import java.util.Optional;

/** The CLI's one-line results. */
final class Output {

    private Output() {}

    /**
     * {@code committed k version=3 position=2:118}, {@code committed k} (nothing written, e.g.
     * deleting an absent key), {@code rejected k VERSION_MISMATCH: expected 2, found 3}, or
     * {@code aborted k TIMEOUT: ...}.
     */
    static String line(String key, WriteResult result) {
        StringBuilder line = new StringBuilder(result.status().name().toLowerCase(Locale.ROOT)).append(' ').append(key);
        if (result.isCommitted()) {
            Optional<WrittenKey> written = result.written(key);
            written.ifPresent(w -> line.append(" version=").append(w.version())
                    .append(" position=").append(w.positionToken()));
        } else {
            line.append(' ').append(result.reason().map(Enum::name).orElse("OTHER"));
            result.detail().ifPresent(detail -> line.append(": ").append(detail));
        }
        return line.toString();
    }
}
