package dev.junction.proxy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Restore-input text as it is rendered: bytes (the input of {@code iptables-restore} is bytes; rule
 * text is ASCII) appended to a list of fixed-size chunks, so that a 10,000-Service render writes
 * each byte once, never re-copies a growing array and allocates no object of more than
 * {@value #MAX_CHUNK} bytes (no G1 humongous region, no large copy at a young collection). Upstream
 * builds its restore input the same way, in one {@code utiliptables.LineBuffer} per table
 * (kubernetes pkg/util/iptables/save_restore.go, pkg/proxy/iptables/proxier.go). Strings are
 * appended as UTF-8 (ASCII in practice: names, addresses and fixed words). {@link #clear()} keeps
 * the chunks for the next render, as upstream {@code LineBuffer.Reset} keeps its memory. Used by
 * iptables mode (restore input) and nftables mode ({@code nft -f} input). Not thread-safe; written
 * by one render, then read-only until cleared.
 */
public final class AsciiText {
    /** Largest chunk in bytes. */
    public static final int MAX_CHUNK = 1 << 16;
    private static final int MIN_CHUNK = 256;

    /** Every chunk allocated so far; {@code chunks[0..current)} are full, the rest are spare. */
    private final List<byte[]> chunks = new ArrayList<>();
    private int current;
    private byte[] chunk;
    private int pos;
    private long fullBytes;

    /** An empty text whose first chunk holds {@code capacity} bytes (bounded to 256 B–64 KiB). */
    public AsciiText(int capacity) {
        chunk = new byte[Math.clamp(capacity, MIN_CHUNK, MAX_CHUNK)];
        chunks.add(chunk);
    }

    /** The ASCII (UTF-8) bytes of {@code s}, for constants appended often. */
    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Appends {@code b} whole. */
    public AsciiText append(byte[] b) {
        int n = b.length;
        if (n <= chunk.length - pos) {
            System.arraycopy(b, 0, chunk, pos, n);
            pos += n;
        } else {
            appendSlow(b);
        }
        return this;
    }

    /** Appends {@code s} as UTF-8 (one byte per character for ASCII, without an intermediate array). */
    public AsciiText append(String s) {
        int n = s.length();
        if (n <= chunk.length - pos) {
            byte[] c = chunk;
            int p = pos;
            for (int i = 0; i < n; i++) {
                char ch = s.charAt(i);
                if (ch >= 0x80) {
                    pos = p;
                    return append(bytes(s.substring(i)));
                }
                c[p++] = (byte) ch;
            }
            pos = p;
            return this;
        }
        return append(bytes(s));
    }

    /** Appends one ASCII character. */
    public AsciiText append(char ch) {
        if (ch >= 0x80) {
            return append(String.valueOf(ch));
        }
        if (pos == chunk.length) {
            nextChunk();
        }
        chunk[pos++] = (byte) ch;
        return this;
    }

    /** Appends {@code value} in decimal, as Go's {@code strconv.Itoa}. */
    public AsciiText append(int value) {
        if (value >= 0 && value < 10) {
            return append((char) ('0' + value));
        }
        return append(Integer.toString(value));
    }

    /** Appends another text's bytes. */
    public AsciiText append(AsciiText other) {
        for (int i = 0; i < other.current; i++) {
            append(other.chunks.get(i));
        }
        if (other.pos > 0) {
            appendSlice(other.chunk, other.pos);
        }
        return this;
    }

    /** Bytes written so far. */
    public long length() {
        return fullBytes + pos;
    }

    /** True when nothing was written. */
    public boolean isEmpty() {
        return length() == 0;
    }

    /** Forgets everything written; the chunks are kept and written again by the next appends. */
    public void clear() {
        current = 0;
        chunk = chunks.get(0);
        fullBytes = 0;
        pos = 0;
    }

    /** Bytes held by this text's chunks, written or spare. */
    public long capacity() {
        long sum = 0;
        for (byte[] c : chunks) {
            sum += c.length;
        }
        return sum;
    }

    /**
     * Copies every byte into {@code dst} from {@code offset}.
     *
     * @return the offset after the last byte written
     * @throws IndexOutOfBoundsException when {@code dst} is too small
     */
    public int copyTo(byte[] dst, int offset) {
        int at = offset;
        for (int i = 0; i < current; i++) {
            byte[] c = chunks.get(i);
            System.arraycopy(c, 0, dst, at, c.length);
            at += c.length;
        }
        System.arraycopy(chunk, 0, dst, at, pos);
        return at + pos;
    }

    /**
     * Every byte in one new array of exactly {@link #length()} bytes (the one copy a caller that
     * needs a {@code byte[]}, e.g. a process's standard input, pays).
     *
     * @throws ArithmeticException when the text exceeds 2 GiB
     */
    public byte[] toByteArray() {
        byte[] all = new byte[Math.toIntExact(length())];
        copyTo(all, 0);
        return all;
    }

    /** Writes every byte to {@code out}, chunk by chunk (no copy). */
    public void writeTo(OutputStream out) throws IOException {
        for (int i = 0; i < current; i++) {
            out.write(chunks.get(i));
        }
        out.write(chunk, 0, pos);
    }

    /** The text (UTF-8). */
    @Override
    public String toString() {
        return new String(toByteArray(), StandardCharsets.UTF_8);
    }

    private void appendSlow(byte[] b) {
        int off = 0;
        while (off < b.length) {
            if (pos == chunk.length) {
                nextChunk();
            }
            int n = Math.min(b.length - off, chunk.length - pos);
            System.arraycopy(b, off, chunk, pos, n);
            pos += n;
            off += n;
        }
    }

    private void appendSlice(byte[] b, int length) {
        if (length == b.length) {
            append(b);
        } else {
            byte[] copy = new byte[length];
            System.arraycopy(b, 0, copy, 0, length);
            append(copy);
        }
    }

    private void nextChunk() {
        fullBytes += chunk.length;
        current++;
        if (current == chunks.size()) {
            chunks.add(new byte[Math.min(MAX_CHUNK, chunk.length * 2)]);
        }
        chunk = chunks.get(current);
        pos = 0;
    }
}
