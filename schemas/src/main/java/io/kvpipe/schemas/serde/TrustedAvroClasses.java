package io.kvpipe.schemas.serde;

import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;

/**
 * Avro 1.12 refuses to load generated classes outside its trusted packages. Our generated wire
 * classes live in {@code io.kvpipe.avro}; this adds that one package to whatever predicate the
 * application has installed, without widening anything else.
 */
public final class TrustedAvroClasses {

    private static final String WIRE_PACKAGE = "io.kvpipe.avro";

    static {
        ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(
                current, type -> WIRE_PACKAGE.equals(type.getPackageName())));
    }

    private TrustedAvroClasses() {}

    /**
     * Trusts the wire package (once). The serdes call it; call it yourself before building or
     * writing generated records without a serde, or Avro refuses them with a SecurityException.
     */
    public static void ensure() {}
}
