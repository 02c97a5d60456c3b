package io.kvpipe.schemas.serde;

import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.kafka.common.errors.SerializationException;

/** The Avro schema of an object a serializer is handed, as Confluent's serializer infers it. */
final class AvroSchemas {

    private static final Map<Class<?>, Schema.Type> PRIMITIVES = Map.of(
            String.class, Schema.Type.STRING,
            Integer.class, Schema.Type.INT,
            Long.class, Schema.Type.LONG,
            Float.class, Schema.Type.FLOAT,
            Double.class, Schema.Type.DOUBLE,
            Boolean.class, Schema.Type.BOOLEAN,
            byte[].class, Schema.Type.BYTES);

    private AvroSchemas() {}

    static Schema of(Object datum) {
        if (datum instanceof GenericContainer container) {
            return container.getSchema();
        }
        if (datum instanceof CharSequence) {
            return Schema.create(Schema.Type.STRING);
        }
        if (datum instanceof ByteBuffer) {
            return Schema.create(Schema.Type.BYTES);
        }
        Schema.Type type = PRIMITIVES.get(datum.getClass());
        if (type == null) {
            throw new SerializationException("Cannot serialize a " + datum.getClass().getName()
                    + " as Avro: expected a generated record, a GenericRecord or a primitive");
        }
        return Schema.create(type);
    }
}
