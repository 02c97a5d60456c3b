package io.kvpipe.schemas.serde;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * A growable byte buffer as an {@link OutputStream}, without the per-call locking of
 * {@link java.io.ByteArrayOutputStream} (Avro's direct encoder writes many single bytes). Not
 * thread-safe: one per thread.
 */
final class ByteSink extends OutputStream {

    private byte[] bytes;
    private int size;

    ByteSink(int capacity) {
        this.bytes = new byte[capacity];
    }

    void reset() {
        size = 0;
    }

    int size() {
        return size;
    }

    @Override
    public void write(int b) {
        if (size == bytes.length) {
            grow(size + 1);
        }
        bytes[size++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        if (size + len > bytes.length) {
            grow(size + len);
        }
        System.arraycopy(b, off, bytes, size, len);
        size += len;
    }

    /** A copy of what was written. */
    byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    private void grow(int needed) {
        bytes = Arrays.copyOf(bytes, Math.max(needed, bytes.length * 2));
    }
}
