package dev.junction.proxy.nftables;

import static java.util.Objects.requireNonNull;

import dev.junction.proxy.AsciiText;
import java.util.List;
import java.util.Optional;

/**
 * One element of a set or verdict map in the {@code kube-proxy} table.
 *
 * @param container set or map name, e.g. {@code service-ips}
 * @param key       key parts, joined with {@code " . "}, e.g. {@code [172.30.0.41, tcp, 80]}
 * @param value     the verdict for maps (e.g. {@code goto service-…}), empty for sets
 * @param comment   element comment, e.g. the Service port name
 */
public record NftElement(String container, List<String> key, Optional<String> value, Optional<String> comment) {
    private static final byte[] ADD_ELEMENT = AsciiText.bytes("add element ip " + NftablesChains.TABLE + " ");
    private static final byte[] BRACE_OPEN = AsciiText.bytes(" { ");
    private static final byte[] BRACE_CLOSE = AsciiText.bytes(" }");
    private static final byte[] CONCAT = AsciiText.bytes(" . ");
    private static final byte[] COMMENT = AsciiText.bytes(" comment \"");
    private static final byte[] COLON = AsciiText.bytes(" : ");

    public NftElement {
        requireNonNull(container, "container");
        key = List.copyOf(key);
        requireNonNull(value, "value");
        requireNonNull(comment, "comment");
    }

    /** A set element. */
    public static NftElement of(String set, String... key) {
        return new NftElement(set, List.of(key), Optional.empty(), Optional.empty());
    }

    /** A map element with a verdict. */
    public static NftElement mapping(String map, String verdict, String... key) {
        return new NftElement(map, List.of(key), Optional.of(verdict), Optional.empty());
    }

    /** This element with a comment. */
    public NftElement withComment(String text) {
        return new NftElement(container, key, value, Optional.of(text));
    }

    /** {@code add element ip kube-proxy MAP { KEY [comment "…"] [: VALUE] }}. */
    public String addLine() {
        StringBuilder out = new StringBuilder(96);
        appendAddLine(out);
        return out.toString();
    }

    /** Appends {@link #addLine()} (without a newline) to {@code out}. */
    void appendAddLine(StringBuilder out) {
        out.append("add element ip ").append(NftablesChains.TABLE).append(' ').append(container).append(" { ");
        appendElement(out);
        out.append(" }");
    }

    /** Appends the element as it appears between the braces: {@code KEY [comment "…"] [: VALUE]}. */
    void appendElement(StringBuilder out) {
        for (int i = 0; i < key.size(); i++) {
            if (i > 0) {
                out.append(" . ");
            }
            out.append(key.get(i));
        }
        if (comment.isPresent()) {
            out.append(" comment \"").append(comment.get()).append('"');
        }
        if (value.isPresent()) {
            out.append(" : ").append(value.get());
        }
    }

    /** Appends {@link #addLine()} (without a newline) to {@code out}, as bytes. */
    void appendAddLine(AsciiText out) {
        out.append(ADD_ELEMENT).append(container).append(BRACE_OPEN);
        appendElement(out);
        out.append(BRACE_CLOSE);
    }

    /** {@link #appendElement(StringBuilder)} as bytes. */
    void appendElement(AsciiText out) {
        for (int i = 0; i < key.size(); i++) {
            if (i > 0) {
                out.append(CONCAT);
            }
            out.append(key.get(i));
        }
        if (comment.isPresent()) {
            out.append(COMMENT).append(comment.get()).append('"');
        }
        if (value.isPresent()) {
            out.append(COLON).append(value.get());
        }
    }

    /** {@code delete element ip kube-proxy MAP { KEY }}. */
    public String deleteLine() {
        return "delete element ip " + NftablesChains.TABLE + " " + container + " { " + String.join(" . ", key) + " }";
    }
}
