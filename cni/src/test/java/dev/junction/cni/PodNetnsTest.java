package dev.junction.cni;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PodNetnsTest {

    @Test
    void shortNamesAreReadable() {
        assertThat(PodNetns.name("default", "web-0")).isEqualTo("jn-pod-default-web-0");
    }

    @Test
    void longNamesAreShortenedStablyAndStayUnique() {
        String pod = "a-very-long-deployment-name-7c9f8d6b5-x2x9z";
        String a = PodNetns.name("kube-system", pod);
        String b = PodNetns.name("kube-system", pod + "q");
        assertThat(a).hasSizeLessThanOrEqualTo(60).startsWith("jn-pod-kube-system-a-very-long").isEqualTo(PodNetns.name("kube-system", pod));
        assertThat(b).hasSizeLessThanOrEqualTo(60).isNotEqualTo(a);
        assertThat(a).matches(".*-[0-9a-f]{10}");
    }

    @Test
    void exactlySixtyIsKept() {
        String pod = "p".repeat(60 - "jn-pod-ns-".length());
        assertThat(PodNetns.name("ns", pod)).hasSize(60).isEqualTo("jn-pod-ns-" + pod);
    }

    @Test
    void hostVethNameFitsIfnamsiz() {
        assertThat(PodNetworkSetup.hostVethName("jn-pod-default-web-0")).matches("veth[0-9a-f]{8}");
    }
}
