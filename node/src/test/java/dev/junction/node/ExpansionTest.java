package dev.junction.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cases from kubernetes third_party/forked/golang/expansion/expand_test.go. */
class ExpansionTest {
    static final Map<String, String> VARS = Map.of("VAR_A", "A", "VAR_B", "B", "VAR_C", "C", "VAR_REF", "$(VAR_A)",
            "VAR_EMPTY", "");

    @Test
    void expandsDefinedVariables() {
        assertThat(Expansion.expand("$(VAR_A)", VARS)).isEqualTo("A");
        assertThat(Expansion.expand("___$(VAR_B)___", VARS)).isEqualTo("___B___");
        assertThat(Expansion.expand("$(VAR_A)-$(VAR_B)-$(VAR_C)", VARS)).isEqualTo("A-B-C");
        assertThat(Expansion.expand("foo$(VAR_EMPTY)bar", VARS)).isEqualTo("foobar");
    }

    @Test
    void doesNotExpandRecursively() {
        assertThat(Expansion.expand("$(VAR_REF)", VARS)).isEqualTo("$(VAR_A)");
    }

    @Test
    void keepsUndefinedAndMalformedReferences() {
        assertThat(Expansion.expand("$(VAR_DNE)", VARS)).isEqualTo("$(VAR_DNE)");
        assertThat(Expansion.expand("$(VAR_A", VARS)).isEqualTo("$(VAR_A");
        assertThat(Expansion.expand("$VAR_A", VARS)).isEqualTo("$VAR_A");
        assertThat(Expansion.expand("foo$", VARS)).isEqualTo("foo$");
        assertThat(Expansion.expand("$()", VARS)).isEqualTo("$()");
    }

    @Test
    void dollarDollarEscapes() {
        assertThat(Expansion.expand("$$(VAR_A)", VARS)).isEqualTo("$(VAR_A)");
        assertThat(Expansion.expand("$$$(VAR_A)", VARS)).isEqualTo("$A");
        assertThat(Expansion.expand("$$$$(VAR_A)", VARS)).isEqualTo("$$(VAR_A)");
        assertThat(Expansion.expand("f00__(VAR_A)__", VARS)).isEqualTo("f00__(VAR_A)__");
    }

    @Test
    void expandsLists() {
        assertThat(Expansion.expandAll(List.of("echo", "$(VAR_A)"), VARS)).containsExactly("echo", "A");
    }
}
