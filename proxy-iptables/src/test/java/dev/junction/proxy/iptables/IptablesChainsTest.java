package dev.junction.proxy.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.proxy.EndpointInfo;
import dev.junction.proxy.Protocol;
import dev.junction.proxy.ServicePortName;
import org.junit.jupiter.api.Test;

/** Chain names must equal kube-proxy's byte for byte (values from upstream proxier_test.go). */
class IptablesChainsTest {

    @Test
    void kubernetesServiceChain() {
        ServicePortName name = new ServicePortName("default", "kubernetes", "https", Protocol.TCP);
        assertThat(IptablesChains.servicePortPolicyClusterChain(name)).isEqualTo("KUBE-SVC-NPX46M4PTMTKRN6Y");
    }

    @Test
    void upstreamTestServiceChains() {
        ServicePortName svc1 = new ServicePortName("ns1", "svc1", "p80", Protocol.TCP);
        assertThat(IptablesChains.servicePortPolicyClusterChain(svc1)).isEqualTo("KUBE-SVC-XPGD46QRK7WJZT7O");
        assertThat(IptablesChains.servicePortEndpointChain(svc1, EndpointInfo.ready("10.180.0.1", 80)))
                .isEqualTo("KUBE-SEP-SXIVWICOYRO3J4NJ");
        ServicePortName svc3 = new ServicePortName("ns3", "svc3", "p80", Protocol.TCP);
        assertThat(IptablesChains.serviceExternalChain(svc3)).isEqualTo("KUBE-EXT-X27LE4BHSL4DOUIK");
        ServicePortName svc5 = new ServicePortName("ns5", "svc5", "p80", Protocol.TCP);
        assertThat(IptablesChains.serviceFirewallChain(svc5)).isEqualTo("KUBE-FW-NUKIZ6OKUXPJNT4C");
        assertThat(IptablesChains.servicePortPolicyLocalChain(svc5)).startsWith("KUBE-SVL-").hasSize(25);
    }

    @Test
    void protocolIsPartOfTheHash() {
        ServicePortName tcp = new ServicePortName("kube-system", "kube-dns", "dns", Protocol.TCP);
        ServicePortName udp = new ServicePortName("kube-system", "kube-dns", "dns", Protocol.UDP);
        assertThat(IptablesChains.servicePortPolicyClusterChain(tcp))
                .isNotEqualTo(IptablesChains.servicePortPolicyClusterChain(udp));
    }

    @Test
    void recognisesServiceChains() {
        assertThat(IptablesChains.isServiceChain("KUBE-SEP-SXIVWICOYRO3J4NJ")).isTrue();
        assertThat(IptablesChains.isServiceChain("KUBE-SERVICES")).isFalse();
        assertThat(IptablesChains.isServiceChain("DOCKER")).isFalse();
    }
}
