package io.kvpipe.app.topology;

/**
 * The schema registry could not say what a request's schema id means (it was unreachable, or
 * answered with an error other than "schema not found"). That is not bad input, so the record is
 * not dead-lettered: the exception ends the stream thread (Kafka Streams' default
 * {@code LogAndFailProcessingExceptionHandler}), the application's uncaught-exception handler
 * replaces the thread, and under exactly-once processing the record is processed again from the
 * last committed offset once the registry answers.
 */
public class SchemaRegistryUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SchemaRegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
