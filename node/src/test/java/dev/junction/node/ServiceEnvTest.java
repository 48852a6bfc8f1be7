package dev.junction.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The format documented in "Accessing the Service: Environment variables" and kubelet envvars_test.go. */
class ServiceEnvTest {

    static Service svc(String ns, String name, String ip, Object... ports) {
        ServiceBuilder b = new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withClusterIP(ip).endSpec();
        for (int i = 0; i < ports.length; i += 3) {
            b.editSpec().addNewPort().withName((String) ports[i]).withPort((Integer) ports[i + 1])
                    .withProtocol((String) ports[i + 2]).endPort().endSpec();
        }
        return b.build();
    }

    @Test
    void redisMasterExampleFromTheDocs() {
        Map<String, String> env = ServiceEnv.fromServices(List.of(svc("default", "redis-primary", "10.0.0.11", "", 6379, "TCP")));
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("REDIS_PRIMARY_SERVICE_HOST", "10.0.0.11");
        expected.put("REDIS_PRIMARY_SERVICE_PORT", "6379");
        expected.put("REDIS_PRIMARY_PORT", "tcp://10.0.0.11:6379");
        expected.put("REDIS_PRIMARY_PORT_6379_TCP", "tcp://10.0.0.11:6379");
        expected.put("REDIS_PRIMARY_PORT_6379_TCP_PROTO", "tcp");
        expected.put("REDIS_PRIMARY_PORT_6379_TCP_PORT", "6379");
        expected.put("REDIS_PRIMARY_PORT_6379_TCP_ADDR", "10.0.0.11");
        assertThat(env).containsExactlyEntriesOf(expected);
    }

    @Test
    void namedPortsAndSeveralProtocols() {
        Map<String, String> env = ServiceEnv.fromServices(List.of(svc("ns", "kube-dns", "10.96.0.10", "dns", 53, "UDP", "dns-tcp", 53, "TCP")));
        assertThat(env).containsEntry("KUBE_DNS_SERVICE_PORT", "53")
                .containsEntry("KUBE_DNS_SERVICE_PORT_DNS", "53")
                .containsEntry("KUBE_DNS_SERVICE_PORT_DNS_TCP", "53")
                .containsEntry("KUBE_DNS_PORT", "udp://10.96.0.10:53")
                .containsEntry("KUBE_DNS_PORT_53_UDP_PROTO", "udp")
                .containsEntry("KUBE_DNS_PORT_53_TCP", "tcp://10.96.0.10:53");
    }

    @Test
    void ipv6AddressesAreBracketedInUrls() {
        assertThat(ServiceEnv.fromServices(List.of(svc("ns", "v6", "fd00::1", "", 80, "TCP"))))
                .containsEntry("V6_PORT", "tcp://[fd00::1]:80").containsEntry("V6_PORT_80_TCP_ADDR", "fd00::1");
    }

    @Test
    void headlessServicesAreSkipped() {
        assertThat(ServiceEnv.fromServices(List.of(svc("ns", "headless", "None", "", 80, "TCP")))).isEmpty();
    }

    @Test
    void podGetsItsNamespaceAndTheMasterService() {
        List<Service> all = List.of(svc("default", "kubernetes", "10.96.0.1", "https", 443, "TCP"),
                svc("shop", "cart", "10.96.0.20", "", 80, "TCP"), svc("other", "x", "10.96.0.30", "", 80, "TCP"));
        assertThat(ServiceEnv.forPod("shop", true, all)).containsKeys("KUBERNETES_SERVICE_HOST", "CART_SERVICE_HOST")
                .doesNotContainKey("X_SERVICE_HOST");
        assertThat(ServiceEnv.forPod("shop", false, all)).containsKey("KUBERNETES_SERVICE_HOST")
                .doesNotContainKey("CART_SERVICE_HOST");
    }

    @Test
    void aSameNamedServiceInThePodNamespaceWinsOverDefaultKubernetes() {
        List<Service> all = List.of(svc("default", "kubernetes", "10.96.0.1", "https", 443, "TCP"),
                svc("shop", "kubernetes", "10.96.0.99", "", 80, "TCP"));
        assertThat(ServiceEnv.forPod("shop", true, all)).containsEntry("KUBERNETES_SERVICE_HOST", "10.96.0.99");
    }
}
