/**
 * The kvpipe client API: {@link io.kvpipe.producers.client.KvClient} (configured by
 * {@link io.kvpipe.producers.client.KvClientConfig}) writes to the replicated key-value state with
 * {@code put}, {@code delete}, {@code compareAndSet}, {@code add} and multi-op
 * {@link io.kvpipe.producers.client.KvClient#submit(java.util.List) submit}s of
 * {@link io.kvpipe.producers.client.Op}s, each answered by a future of a
 * {@link io.kvpipe.producers.client.WriteResult}. The machinery is in {@code internals}, which is
 * not API.
 */
package io.kvpipe.producers.client;
