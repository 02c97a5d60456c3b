package io.kvpipe.app.heartbeat;

/**
 * How far this instance has got with one partition: for a primary (active task), the last
 * requests-topic offset it processed and how many records of that partition it has not processed
 * yet; for a replica (standby task), the changelog offset it has restored and how many changelog
 * records it is behind.
 *
 * @param offset the last applied offset, -1 before the first
 * @param lag records behind the end of the log, null where unknown
 */
public record TaskProgress(int partition, long offset, Long lag) {}
