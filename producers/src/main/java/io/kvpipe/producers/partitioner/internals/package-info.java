/**
 * The hash and bucket functions behind the partitioner; not a public API.
 */
package io.kvpipe.producers.partitioner.internals;
