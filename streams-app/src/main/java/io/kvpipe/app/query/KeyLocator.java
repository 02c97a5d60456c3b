package io.kvpipe.app.query;

/** Finds where a key lives; {@link StreamsKeyLocator} asks Kafka Streams. */
@FunctionalInterface
public interface KeyLocator {

    /** Never null: {@link KeyLocation#unavailable} when the metadata cannot tell. */
    KeyLocation locate(String key);
}
