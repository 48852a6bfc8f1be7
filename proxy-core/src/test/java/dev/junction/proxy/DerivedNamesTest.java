package dev.junction.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The per-mode name memo of {@link ServicePortName} and {@link EndpointInfo} (upstream serviceInfo / endpointInfo). */
class DerivedNamesTest {
    private static final ServicePortName A = new ServicePortName("ns", "a", "p", Protocol.TCP);
    private static final ServicePortName B = new ServicePortName("ns", "b", "p", Protocol.TCP);

    @Test
    void servicePortNameComputesEachSlotOnce() {
        ServicePortName name = new ServicePortName("ns", "a", "p", Protocol.TCP);
        AtomicInteger calls = new AtomicInteger();
        for (int i = 0; i < 3; i++) {
            assertThat(name.derivedName(ServicePortName.IPTABLES_NAMES, n -> "ipt-" + n + "-" + calls.incrementAndGet()))
                    .isEqualTo("ipt-ns/a:p-1");
        }
        assertThat(name.derivedName(ServicePortName.NFTABLES_NAMES, n -> "nft-" + calls.incrementAndGet())).isEqualTo("nft-2");
        // The memo is not part of the value.
        assertThat(name).isEqualTo(A).hasSameHashCodeAs(A);
        assertThat(name.compareTo(A)).isZero();
        assertThat(name.toString()).isEqualTo("ns/a:p");
        assertThat(new ServicePortName("ns", "a", "", Protocol.UDP).toString()).isEqualTo("ns/a");
    }

    @Test
    void endpointNameIsKeptPerOwnerAndRecomputedForAnother() {
        EndpointInfo ep = EndpointInfo.ready("10.0.0.1", 80);
        AtomicInteger calls = new AtomicInteger();
        assertThat(ep.derivedName(0, A, (n, e) -> n.name() + e.endpoint() + calls.incrementAndGet())).isEqualTo("a10.0.0.1:801");
        assertThat(ep.derivedName(0, new ServicePortName("ns", "a", "p", Protocol.TCP), (n, e) -> "never"))
                .isEqualTo("a10.0.0.1:801");
        assertThat(ep.derivedName(0, B, (n, e) -> n.name() + e.endpoint() + calls.incrementAndGet())).isEqualTo("b10.0.0.1:802");
        assertThat(calls).hasValue(2);
        assertThat(ep).isEqualTo(EndpointInfo.ready("10.0.0.1", 80)).hasSameHashCodeAs(EndpointInfo.ready("10.0.0.1", 80));
        assertThat(ep).isNotEqualTo(EndpointInfo.ready("10.0.0.1", 81));
    }
}
