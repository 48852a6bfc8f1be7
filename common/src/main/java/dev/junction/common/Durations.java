package dev.junction.common;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses Go {@code time.Duration} strings as kube-proxy's and kube-apiserver's duration flags take them: a sequence of decimal
 * numbers with units {@code ns}, {@code us}, {@code ms}, {@code s}, {@code m}, {@code h}
 * (e.g. {@code 1s}, {@code 500ms}, {@code 1m30s}); {@code 0} alone means zero.
 */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    private Durations() {
    }

    /**
     * @throws IllegalArgumentException when {@code text} is not a non-negative Go duration
     */
    public static Duration parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("duration: " + text + " (expected: e.g. 1s, 500ms, 1m30s)");
        }
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = PART.matcher(text);
        int at = 0;
        double nanos = 0;
        while (at < text.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException("duration: " + text + " (expected: e.g. 1s, 500ms, 1m30s)");
            }
            double value = Double.parseDouble(m.group(1));
            nanos += value * switch (m.group(2)) {
                case "ns" -> 1d;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            at = m.end();
        }
        return Duration.ofNanos(Math.round(nanos));
    }

    /** Formats like Go for whole values: {@code 1s}, {@code 500ms}, {@code 0s}. */
    public static String format(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        if (duration.toNanosPart() == 0) {
            return duration.toSeconds() + "s";
        }
        if (duration.toNanos() % 1_000_000 == 0) {
            return duration.toMillis() + "ms";
        }
        return duration.toNanos() + "ns";
    }
}
