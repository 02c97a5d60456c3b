package io.kvpipe.app.query;

import io.kvpipe.schemas.ReadPosition;
import java.time.Duration;

/** Reads this instance's copy of a partition of the kv store; {@link StreamsLocalStore} uses IQv2. */
public interface LocalStore {

    /**
     * @param activeOnly read only an active store (a primary read); otherwise read the local store
     *     whatever it is, and say which it was
     * @param position if not null, wait up to {@code wait} until the store has caught up with it,
     *     then read; {@link LocalRead.Outcome#BEHIND} if it does not. The offset form: the store has
     *     applied this offset of the requests topic. The version form: the store holds the key at
     *     this version or later (an absent key is at version 0).
     */
    LocalRead read(String key, int partition, boolean activeOnly, ReadPosition position, Duration wait);
}
