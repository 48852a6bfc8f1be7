package dev.junction.node;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes {@code $(VAR)} expansion (kubernetes {@code third_party/forked/golang/expansion/expand.go},
 * used by kubelet for env values, {@code command} and {@code args}): {@code $(NAME)} becomes the
 * variable's value when it is defined and stays verbatim otherwise; {@code $$} is an escaped
 * {@code $}; any other {@code $} and an unterminated {@code $(} are kept as written.
 */
public final class Expansion {
    private Expansion() {
    }

    /** Expands one string against {@code vars}. */
    public static String expand(String input, Map<String, String> vars) {
        requireNonNull(input, "input");
        requireNonNull(vars, "vars");
        StringBuilder out = new StringBuilder();
        int checkpoint = 0;
        for (int cursor = 0; cursor < input.length(); cursor++) {
            if (input.charAt(cursor) == '$' && cursor + 1 < input.length()) {
                out.append(input, checkpoint, cursor);
                char next = input.charAt(cursor + 1);
                int advance = 1;
                if (next == '$') {
                    out.append('$');
                } else if (next == '(') {
                    int close = input.indexOf(')', cursor + 2);
                    if (close < 0) {
                        out.append("$(");
                    } else {
                        String name = input.substring(cursor + 2, close);
                        String value = vars.get(name);
                        out.append(value != null ? value : "$(" + name + ")");
                        advance = close - cursor;
                    }
                } else {
                    out.append('$').append(next);
                }
                cursor += advance;
                checkpoint = cursor + 1;
            }
        }
        return out.append(input.substring(Math.min(checkpoint, input.length()))).toString();
    }

    /** Expands every element. */
    public static List<String> expandAll(List<String> inputs, Map<String, String> vars) {
        requireNonNull(inputs, "inputs");
        List<String> out = new ArrayList<>(inputs.size());
        for (String input : inputs) {
            out.add(expand(input, vars));
        }
        return out;
    }
}
