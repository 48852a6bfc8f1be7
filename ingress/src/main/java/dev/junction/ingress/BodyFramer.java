package dev.junction.ingress;

import io.netty.buffer.ByteBuf;

/**
 * Finds where a response body ends in the bytes an endpoint sends, without decoding it, so the
 * lean HTTP/1.1 path can forward the body as received (RFC 9112 §6.3): a length in bytes, chunked
 * (RFC 9112 §7.1: chunk-size in hex, optional extensions, data, CRLF, last chunk, trailer section,
 * empty line), or until the connection closes.
 */
final class BodyFramer {
    private static final int SIZE = 0;
    private static final int EXT = 1;
    private static final int DATA = 2;
    private static final int DATA_CR = 3;
    private static final int DATA_LF = 4;
    private static final int TRAILER_LINE_START = 5;
    private static final int TRAILER_LINE = 6;
    private static final int TRAILER_CR = 7;
    private static final int DONE = 8;

    private final boolean chunked;
    private final boolean untilClose;
    private long remaining;
    private int state;
    private int sizeDigits;
    private boolean sawCr;

    /** @param framing as {@link ResponseHead#framing}: a length, {@link ResponseHead#CHUNKED} or {@link ResponseHead#UNTIL_CLOSE} */
    BodyFramer(long framing) {
        this.chunked = framing == ResponseHead.CHUNKED;
        this.untilClose = framing == ResponseHead.UNTIL_CLOSE;
        this.remaining = framing > 0 ? framing : 0;
        this.state = chunked || untilClose || framing > 0 ? SIZE : DONE;
    }

    /** Whether the body has ended. */
    boolean complete() {
        return state == DONE;
    }

    /** Whether the body lasts until the endpoint closes the connection. */
    boolean untilClose() {
        return untilClose;
    }

    /**
     * Scans the readable bytes of {@code in} from its reader index (not moving it).
     *
     * @return how many of them belong to the body (the rest follows the message)
     * @throws ResponseHead.Malformed if the chunked framing is broken
     */
    int scan(ByteBuf in) throws ResponseHead.Malformed {
        int start = in.readerIndex();
        int end = in.writerIndex();
        if (state == DONE) {
            return 0;
        }
        if (untilClose) {
            return end - start;
        }
        if (!chunked) {
            int n = (int) Math.min(remaining, end - start);
            remaining -= n;
            if (remaining == 0) {
                state = DONE;
            }
            return n;
        }
        int i = start;
        while (i < end && state != DONE) {
            switch (state) {
                case DATA -> {
                    int n = (int) Math.min(remaining, end - i);
                    i += n;
                    remaining -= n;
                    if (remaining == 0) {
                        state = DATA_CR;
                    }
                }
                case SIZE -> {
                    byte c = in.getByte(i++);
                    int d = hex(c);
                    if (d >= 0) {
                        if (++sizeDigits > 15) {
                            throw new ResponseHead.Malformed("chunk size too large");
                        }
                        remaining = remaining * 16 + d;
                    } else if (sizeDigits == 0) {
                        throw new ResponseHead.Malformed("bad chunk size");
                    } else if (c == ';' || c == ' ' || c == '\t') {
                        state = EXT;
                    } else if (c == '\r') {
                        sawCr = true;
                        state = EXT;
                    } else if (c == '\n') {
                        endOfSizeLine();
                    } else {
                        throw new ResponseHead.Malformed("bad chunk size");
                    }
                }
                case EXT -> {
                    byte c = in.getByte(i++);
                    if (c == '\n') {
                        endOfSizeLine();
                    } else if (sawCr || c == 0) {
                        throw new ResponseHead.Malformed("bad chunk extension");
                    } else if (c == '\r') {
                        sawCr = true;
                    }
                }
                case DATA_CR -> {
                    byte c = in.getByte(i++);
                    if (c == '\r') {
                        state = DATA_LF;
                    } else if (c == '\n') {
                        state = SIZE;
                    } else {
                        throw new ResponseHead.Malformed("no CRLF after chunk data");
                    }
                }
                case DATA_LF -> {
                    if (in.getByte(i++) != '\n') {
                        throw new ResponseHead.Malformed("no CRLF after chunk data");
                    }
                    state = SIZE;
                }
                case TRAILER_LINE_START -> {
                    byte c = in.getByte(i++);
                    if (c == '\n') {
                        state = DONE;
                    } else if (c == '\r') {
                        state = TRAILER_CR;
                    } else {
                        state = TRAILER_LINE;
                    }
                }
                case TRAILER_CR -> {
                    if (in.getByte(i++) != '\n') {
                        throw new ResponseHead.Malformed("bad end of trailer section");
                    }
                    state = DONE;
                }
                case TRAILER_LINE -> {
                    byte c = in.getByte(i++);
                    if (c == '\n') {
                        state = TRAILER_LINE_START;
                    } else if (c == 0) {
                        throw new ResponseHead.Malformed("NUL in a trailer line");
                    }
                }
                default -> throw new IllegalStateException();
            }
        }
        return i - start;
    }

    private void endOfSizeLine() {
        sawCr = false;
        sizeDigits = 0;
        if (remaining == 0) {
            state = TRAILER_LINE_START;
        } else {
            state = DATA;
        }
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
