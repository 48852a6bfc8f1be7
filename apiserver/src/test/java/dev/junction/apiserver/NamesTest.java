package dev.junction.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Address literals as upstream's {@code k8s.io/utils/net} ParseIPSloppy reads them (ASCII digits, leading zeros allowed). */
class NamesTest {
    @Test
    void ipv4Literals() {
        for (String ok : new String[] {"10.0.0.1", "255.255.255.255", "0.0.0.0", "010.001.0.9", "1.2.3.4"}) {
            assertThat(Names.isIpv4(ok)).as(ok).isTrue();
        }
        for (String bad : new String[] {"", "1.2.3", "1.2.3.4.5", "1.2.3.256", "1.2..4", ".1.2.3", "1.2.3.", "1.2.3.4 ",
                "1.2.3.0004", "a.b.c.d", "1.2.3.-4", "::1", "1.2.3.4/32", "\u0661.2.3.4"}) {
            assertThat(Names.isIpv4(bad)).as(bad).isFalse();
        }
    }
}
