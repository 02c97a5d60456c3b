package io.kvpipe.producers.client;

import io.kvpipe.schemas.ReadPosition;

/**
 * A key written by a committed request: its new version, and the requests-topic partition and
 * offset whose processing wrote it.
 *
 * @param key the key
 * @param version the key's version after the write
 * @param partition the requests-topic partition that owns the key
 * @param offset the requests-topic offset of the request that wrote it
 */
public record WrittenKey(String key, long version, int partition, long offset) {

    /** The read-your-writes position: pass it to a query so it waits until the write is applied. */
    public ReadPosition position() {
        return new ReadPosition(partition, offset);
    }

    /** {@link #position()} in its text form {@code <partition>:<offset>}, for {@code ?position=}. */
    public String positionToken() {
        return partition + ":" + offset;
    }
}
