package io.kvpipe.producers.bench;

import io.kvpipe.schemas.Limits;
import java.util.HashSet;
import java.util.List;

/**
 * The transaction modes of a bench run: for each size in {@code sizes}, {@code transactions}
 * transactions of that many keys, a {@code crossShare} of them across partitions (see
 * {@link TransactionKeys}), over {@code keySpace} keys, {@code inFlight} outstanding per client.
 *
 * <p>Transactions lock their keys until decided, and a transaction that meets a lock aborts: with
 * {@code c} clients the keys locked at a time are at most {@code c * inFlight * size}, so a key
 * space far larger than that keeps lock conflicts rare (the bench's defaults: 4 * 2,000 * 2 =
 * 16,000 of 1,000,000 keys for 2-key transactions, so one meets a lock with a chance of at most about 3 %;
 * in practice fewer are locked at once, since part of those in flight are not prepared yet or
 * decided already).
 */
public record TransactionSettings(List<Integer> sizes, double crossShare, int transactions, int keySpace,
        int inFlight) {

    public static final int DEFAULT_TRANSACTIONS = 20_000;
    public static final int DEFAULT_KEY_SPACE = 1_000_000;
    public static final int DEFAULT_IN_FLIGHT = 2000;

    public TransactionSettings {
        sizes = List.copyOf(sizes);
        if (new HashSet<>(sizes).size() != sizes.size()) {
            throw new IllegalArgumentException("transaction sizes must differ, got " + sizes);
        }
        for (int size : sizes) {
            if (size < 1 || size > Limits.MAX_OPS) {
                throw new IllegalArgumentException("a transaction holds 1 to " + Limits.MAX_OPS + " keys, got " + size);
            }
            new TransactionKeys(keySpace, size, crossShare); // checks the key space and the share
        }
        if (transactions < 1 || inFlight < 1) {
            throw new IllegalArgumentException("transactions and in-flight must be positive");
        }
    }

    /** No transaction modes: the bench as before them. */
    public static TransactionSettings none() {
        return new TransactionSettings(List.of(), 1.0, DEFAULT_TRANSACTIONS, DEFAULT_KEY_SPACE, DEFAULT_IN_FLIGHT);
    }

    /**
     * @throws IllegalArgumentException if a size has more keys than the pipeline has partitions
     *     while some transactions are to cross partitions
     */
    void checkAgainst(int partitions) {
        for (int size : sizes) {
            if (crossShare > 0 && size > partitions) {
                throw new IllegalArgumentException(size + "-key transactions cannot cross " + size + " partitions:"
                        + " the pipeline has " + partitions);
            }
        }
    }
}
