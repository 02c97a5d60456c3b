package io.kvpipe.app.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The index of remembered decisions answers as the store would: for exactly the memory, and after
 * the task restarts over the same store.
 */
class RememberedDecisionsTest {

    private static final Duration MEMORY = Duration.ofSeconds(70);
    private static final long T0 = 1_700_000_000_000L;

    private WindowStore<String, byte[]> store;

    @BeforeEach
    void openStore() {
        store = Stores.windowStoreBuilder(Stores.inMemoryWindowStore("decisions", MEMORY.plusMillis(1),
                        Duration.ofMillis(1), false), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled()
                .build();
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        store.init(context.getStateStoreContext(), store);
    }

    @Test
    void aDecisionIsRememberedUpToAndIncludingTheMemoryThenForgotten() {
        RememberedDecisions decisions = new RememberedDecisions(store, MEMORY);
        decisions.remember("t1", true, T0);

        assertThat(decisions.contains("t1", T0 + MEMORY.toMillis())).isTrue();
        assertThat(decisions.contains("other", T0)).isFalse();
        assertThat(decisions.contains("t1", T0 + MEMORY.toMillis() + 1)).isFalse();
    }

    @Test
    void aRestartedTaskFindsWhatTheStoreHoldsWhateverOrderItWasWrittenIn() {
        RememberedDecisions before = new RememberedDecisions(store, MEMORY);
        before.remember("late", false, T0 + 1_000);
        before.remember("early", true, T0); // the wall clock stepped back
        before.remember("newest", true, T0 + 5_000);

        RememberedDecisions after = new RememberedDecisions(store, MEMORY);

        long justAfterEarlyIsForgotten = T0 + MEMORY.toMillis() + 1;
        assertThat(after.contains("early", justAfterEarlyIsForgotten)).isFalse();
        assertThat(after.contains("late", justAfterEarlyIsForgotten)).isTrue();
        assertThat(after.contains("newest", justAfterEarlyIsForgotten)).isTrue();
        assertThat(after.contains("late", T0 + 1_000 + MEMORY.toMillis() + 1)).isFalse();
        assertThat(after.contains("newest", T0 + 5_000 + MEMORY.toMillis())).isTrue();
    }

    @Test
    void aDecisionRememberedAgainIsKeptFromItsNewerTime() {
        RememberedDecisions decisions = new RememberedDecisions(store, MEMORY);
        decisions.remember("t1", false, T0);
        decisions.remember("t2", false, T0 + 10);
        decisions.remember("t1", false, T0 + 20_000);

        assertThat(decisions.contains("t2", T0 + 10 + MEMORY.toMillis() + 1)).isFalse();
        assertThat(decisions.contains("t1", T0 + 20_000 + MEMORY.toMillis())).isTrue();
        assertThat(new RememberedDecisions(store, MEMORY).contains("t1", T0 + 20_000 + MEMORY.toMillis())).isTrue();
    }
}
