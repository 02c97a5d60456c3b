package io.kvpipe.schemas;

import java.util.List;
import java.util.function.Function;

/**
 * A topic value whose schema is the union {@code [Item, Batch]} (requests, outcomes, protocol
 * messages): an item alone, or a batch of them.
 */
final class UnionValues {

    private UnionValues() {}

    /**
     * The items {@code value} holds, in order: itself if an {@code item}, its items if a {@code batch}.
     *
     * @throws IllegalArgumentException if it is neither ("not a {@code what} value: <its class>")
     */
    static <T, B> List<T> items(Object value, Class<T> item, Class<B> batch, Function<B, List<T>> itemsOf,
            String what) {
        if (item.isInstance(value)) {
            return List.of(item.cast(value));
        }
        if (batch.isInstance(value)) {
            return itemsOf.apply(batch.cast(value));
        }
        throw new IllegalArgumentException("not a " + what + " value: "
                + (value == null ? "null" : value.getClass().getName()));
    }
}
