/** Configuration shared by the command-line tools of the producers module and the streams app. */
package io.kvpipe.producers.config;
