package io.kvpipe.app.query;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Looks a transaction id up in this instance's active stores; {@link StreamsLocalTxns} uses IQv2. */
@FunctionalInterface
public interface LocalTxns {

    /**
     * What a search of this instance's active partitions found.
     *
     * @param found what the partitions know of the id (a decision over an undecided state)
     * @param searched the partitions searched (those active here)
     * @param problems why a store could not be searched (not running, rebalancing...), one line each
     */
    record Search(Optional<TxnFinding> found, Set<Integer> searched, List<String> problems) {

        public Search {
            searched = Set.copyOf(searched);
            problems = List.copyOf(problems);
        }
    }

    Search search(String transactionId);
}
