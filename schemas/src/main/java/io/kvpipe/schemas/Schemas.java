package io.kvpipe.schemas;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Earlier versions of a record schema, rebuilt from the current one: a subject's first version must
 * be registered again by its exact text, which is the current record's without the fields added
 * since (each added at the end, with a default).
 */
final class Schemas {

    private Schemas() {}

    /** {@code record} without the fields {@code names}. */
    static Schema withoutFields(Schema record, String... names) {
        List<String> dropped = List.of(names);
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field field : record.getFields()) {
            if (!dropped.contains(field.name())) {
                fields.add(new Schema.Field(field, field.schema()));
            }
        }
        return record(record, fields);
    }

    /** A record named and documented as {@code like}, with its properties, holding {@code fields}. */
    static Schema record(Schema like, List<Schema.Field> fields) {
        Schema copy = Schema.createRecord(like.getName(), like.getDoc(), like.getNamespace(), like.isError(), fields);
        like.getObjectProps().forEach(copy::addProp);
        return copy;
    }
}
