package io.kvpipe.producers.client;

import io.kvpipe.schemas.ReadPosition;

/**
 * A key written by a committed request: its new version, and the requests-topic partition and
 * offset whose processing wrote it.
 *
 * @param key the key
 * @param version the key's version after the request (unchanged for a check or a delete of an
 *     absent key; 0 for a key never written)
 * @param partition the requests-topic partition that owns the key
 * @param offset the requests-topic offset of the request that wrote it, or -1 when there is no
 *     offset to wait for: nothing was written, or a cross-partition transaction applied the write
 *     at an offset not known when its outcome was sent
 */
public record WrittenKey(String key, long version, int partition, long offset) {

    /**
     * The read-your-writes position: pass it to a query of this key so it waits until the write is
     * applied. By offset when there is one ({@code 2:118}), else by the key's version ({@code 2:v3}).
     */
    public ReadPosition position() {
        return offset >= 0 ? new ReadPosition(partition, offset) : ReadPosition.atVersion(partition, version);
    }

    /** {@link #position()} in its text form, for {@code ?position=}: {@code 2:118} or {@code 2:v3}. */
    public String positionToken() {
        return position().token();
    }
}
