package dev.junction.proxy.iptables;

/**
 * The {@code -A …} lines of one table as they are rendered: one growing text buffer rather than one
 * String per rule, so that a 10,000-Service render does not allocate (and the garbage collector
 * does not copy) ~300,000 rule objects. Upstream builds its restore input the same way, in one
 * {@code utiliptables.LineBuffer} per table (kubernetes pkg/util/iptables, pkg/proxy/iptables/proxier.go).
 * Not thread-safe; owned by one render.
 */
final class RuleText {
    private final StringBuilder text;

    /** @param capacity expected characters */
    RuleText(int capacity) {
        text = new StringBuilder(Math.max(64, capacity));
    }

    /** Appends {@code line} and a newline. */
    void add(String line) {
        text.append(line).append('\n');
    }

    /** The buffer to append one line to in pieces; the caller ends it with {@code '\n'}. */
    StringBuilder line() {
        return text;
    }

    /** Forgets everything written. */
    void clear() {
        text.setLength(0);
    }

    /** The text written so far (every line ends with a newline). */
    CharSequence text() {
        return text;
    }
}
