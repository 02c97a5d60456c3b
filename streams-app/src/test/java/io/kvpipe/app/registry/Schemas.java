package io.kvpipe.app.registry;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;

/** Versions of one record type, each evolving the first in a known way. */
final class Schemas {

    /** {name: string} */
    static final Schema V1 = SchemaBuilder.record("User").namespace("test")
            .fields().requiredString("name").endRecord();

    /** V1 plus {age: int, default 0}: reads V1 data and V1 reads it (fully compatible). */
    static final Schema WITH_DEFAULTED_AGE = SchemaBuilder.record("User").namespace("test")
            .fields().requiredString("name").name("age").type().intType().intDefault(0).endRecord();

    /** V1 plus {age: int} without default: cannot read V1 data; V1 reads it (forward only). */
    static final Schema WITH_REQUIRED_AGE = SchemaBuilder.record("User").namespace("test")
            .fields().requiredString("name").requiredInt("age").endRecord();

    /** name becomes an int: neither reads the other. */
    static final Schema NAME_AS_INT = SchemaBuilder.record("User").namespace("test")
            .fields().requiredInt("name").endRecord();

    /** {} : reads V1 data (drops name); V1 cannot read it (backward only). */
    static final Schema WITHOUT_NAME = SchemaBuilder.record("User").namespace("test")
            .fields().endRecord();

    /** name becomes an int with a default: reads data without a name, not data with a string one. */
    static final Schema NAME_AS_DEFAULTED_INT = SchemaBuilder.record("User").namespace("test")
            .fields().name("name").type().intType().intDefault(0).endRecord();

    private Schemas() {}
}
