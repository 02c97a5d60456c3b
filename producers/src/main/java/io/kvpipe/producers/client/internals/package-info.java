/** The client's machinery: not API, may change without notice. */
package io.kvpipe.producers.client.internals;
