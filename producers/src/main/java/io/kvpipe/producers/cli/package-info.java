/**
 * {@code kvpipe-cli}, the command-line tool ({@link io.kvpipe.producers.cli.KvpipeCli}):
 * {@code put}, {@code get}, {@code delete}, {@code cas}, {@code add}. Run it as
 * {@code java -jar producers/target/kvpipe-cli.jar --help}.
 */
package io.kvpipe.producers.cli;
