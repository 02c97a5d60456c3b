package io.kvpipe.schemas.serde;

/**
 * Confluent's default subject naming ({@code TopicNameStrategy}): a topic's keys are registered
 * under {@code <topic>-key} and its values under {@code <topic>-value}.
 */
public final class SubjectNames {

    private SubjectNames() {}

    /** The subject for the keys or values of {@code topic}. */
    public static String of(String topic, boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }
}
