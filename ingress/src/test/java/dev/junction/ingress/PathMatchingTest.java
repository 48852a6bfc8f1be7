package dev.junction.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every single-path row of the official examples table
 * (kubernetes.io/docs/concepts/services-networking/ingress/#examples); the multi-path rows are in
 * {@link RouteTableBuilderTest}.
 */
class PathMatchingTest {

    @ParameterizedTest(name = "{0} {1} vs {2} -> {3}")
    @CsvSource({
            // Kind, Path, Request path, Matches?
            "Prefix, /, /, true",
            "Prefix, /, /anything/at/all, true",
            "Exact, /foo, /foo, true",
            "Exact, /foo, /bar, false",
            "Exact, /foo, /foo/, false",
            "Exact, /foo/, /foo, false",
            "Prefix, /foo, /foo, true",
            "Prefix, /foo, /foo/, true",
            "Prefix, /foo/, /foo, true",
            "Prefix, /foo/, /foo/, true",
            "Prefix, /aaa/bb, /aaa/bbb, false",
            "Prefix, /aaa/bbb, /aaa/bbb, true",
            "Prefix, /aaa/bbb/, /aaa/bbb, true",
            "Prefix, /aaa/bbb, /aaa/bbb/, true",
            "Prefix, /aaa/bbb, /aaa/bbb/ccc, true",
            "Prefix, /aaa/bbb, /aaa/bbbxyz, false",
            "Prefix, /aaa, /ccc, false",
            // ImplementationSpecific is Prefix here.
            "ImplementationSpecific, /aaa/bbb, /aaa/bbb/ccc, true",
            "ImplementationSpecific, /aaa/bbb, /aaa/bbbxyz, false",
    })
    void officialExamples(String kind, String path, String request, boolean matches) {
        assertThat(PathMatching.matches(PathType.parse(kind), path, request)).isEqualTo(matches);
    }

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource({
            "*.foo.com, bar.foo.com, true",
            "*.foo.com, BAR.Foo.com:8080, true",
            "*.foo.com, baz.bar.foo.com, false",
            "*.foo.com, foo.com, false",
            "*.foo.com, .foo.com, false",
            "foo.bar.com, foo.bar.com, true",
            "foo.bar.com, foo.bar.com:80, true",
            "foo.bar.com, Foo.Bar.Com., true",
            "foo.bar.com, bar.foo.com, false",
            "'', anything.example, true",
    })
    void hostRules(String rule, String host, boolean matches) {
        assertThat(HostMatching.matches(rule, host)).isEqualTo(matches);
    }

    @Test
    void precedenceLengthIgnoresTrailingSlashOfPrefix() {
        assertThat(PathMatching.precedenceLength(PathType.PREFIX, "/foo/")).isEqualTo(4);
        assertThat(PathMatching.precedenceLength(PathType.PREFIX, "/")).isEqualTo(1);
        assertThat(PathMatching.precedenceLength(PathType.EXACT, "/foo/")).isEqualTo(5);
    }

    @Test
    void hostNormalisation() {
        assertThat(HostMatching.normalize("Foo.COM:8080")).isEqualTo("foo.com");
        assertThat(HostMatching.normalize("[::1]:80")).isEqualTo("[::1]");
        assertThat(HostMatching.wildcardOf("bar.foo.com")).isEqualTo("*.foo.com");
        assertThat(HostMatching.wildcardOf("localhost")).isEmpty();
    }
}
