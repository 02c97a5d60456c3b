package io.kvpipe.app.registry;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/** Decides, with Avro's own resolution rules, whether a schema may follow earlier versions. */
final class CompatibilityChecker {

    /** An earlier version to check against. */
    record Earlier(int version, Schema schema) {}

    private CompatibilityChecker() {}

    /**
     * Why {@code candidate} breaks {@code level} against {@code earlierNewestFirst} (only the first
     * unless the level is transitive); empty when it is compatible. Backward: the candidate must
     * read data written with the earlier schema; forward: the earlier schema must read data
     * written with the candidate.
     */
    static List<String> problems(CompatibilityLevel level, Schema candidate,
            List<Earlier> earlierNewestFirst) {
        List<String> problems = new ArrayList<>();
        if (earlierNewestFirst.isEmpty()) {
            return problems;
        }
        List<Earlier> against = level.transitive ? earlierNewestFirst : earlierNewestFirst.subList(0, 1);
        for (Earlier earlier : against) {
            if (level.backward) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, earlier.schema()),
                        "the new schema cannot read data written with version " + earlier.version(),
                        problems);
            }
            if (level.forward) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(earlier.schema(), candidate),
                        "version " + earlier.version() + " cannot read data written with the new schema",
                        problems);
            }
        }
        return problems;
    }

    private static void describe(SchemaCompatibility.SchemaPairCompatibility result, String direction,
            List<String> problems) {
        for (SchemaCompatibility.Incompatibility incompatibility : result.getResult().getIncompatibilities()) {
            problems.add(direction + ": " + incompatibility.getType() + " at "
                    + incompatibility.getLocation() + " (" + incompatibility.getMessage() + ")");
        }
    }
}
