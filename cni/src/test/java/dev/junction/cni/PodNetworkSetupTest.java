package dev.junction.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.common.CommandRunner;
import dev.junction.testing.RequiresRoot;
import dev.junction.testing.TestNetns;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two pods on cni0 inside a test namespace that plays the node. */
@RequiresRoot(commands = {"python3", "curl"})
class PodNetworkSetupTest {
    static final CommandRunner RUN = CommandRunner.system();
    @TempDir
    Path dir;

    @Test
    void twoPodsTalkOverTheBridgeAndTeardownLeavesNothing() throws Exception {
        String tag = "t" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        String podA = PodNetns.name("jnt-", tag, "a");
        String podB = PodNetns.name("jnt-", tag, "b");
        Process server = null;
        try (TestNetns node = TestNetns.create("cni")) {
            NodeExec exec = new NodeExec(RUN, Optional.of(node.name()));
            PodCidr cidr = PodCidr.parse("10.244.1.0/24");
            HostLocalIpam ipam = new HostLocalIpam(cidr, dir.resolve("ipam"));
            new Bridge(exec).setUp(cidr);
            new Bridge(exec).setUp(cidr);
            PodNetworkSetup setup = new PodNetworkSetup(exec);
            try {
                var a = setup.setUp(podA, ipam.allocate(tag + "/a"), cidr);
                var b = setup.setUp(podB, ipam.allocate(tag + "/b"), cidr);
                assertThat(setup.setUp(podB, b.ip(), cidr)).isEqualTo(b);
                assertThat(RUN.run("ip", "-n", podA, "route", "show", "default").stdout()).contains("via 10.244.1.1 dev eth0");
                assertThat(node.check("ip", "-d", "link", "show", b.hostVeth()).stdout()).contains("master cni0").contains("hairpin on");

                server = new ProcessBuilder("ip", "netns", "exec", podB, "python3", "-m", "http.server", "8080", "--bind", b.ip())
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(RUN.run(
                        "ip", "netns", "exec", podA, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2",
                        "http://" + b.ip() + ":8080/").stdout()).isEqualTo("200"));
                // the node reaches pods through cni0 too
                assertThat(node.check("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2",
                        "http://" + b.ip() + ":8080/").stdout()).isEqualTo("200");
                RUN.check("kill", "-9", Long.toString(server.pid()));
                server.waitFor();
                server = null;
            } finally {
                if (server != null) {
                    RUN.run("kill", "-9", Long.toString(server.pid()));
                }
                setup.tearDown(podA);
                setup.tearDown(podB);
                setup.tearDown(podB);
                ipam.release(tag + "/a");
                ipam.release(tag + "/b");
            }
            assertThat(setup.listNetns()).doesNotContain(podA, podB);
            String links = node.check("ip", "-o", "link", "show").stdout();
            assertThat(links).doesNotContain("veth");
            assertThat(ipam.allocations()).isEmpty();
        }
    }

    @Test
    void hostGwRoutesFollowTheNodeList() {
        try (TestNetns node = TestNetns.create("hgw")) {
            node.check("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0p");
            node.check("ip", "addr", "add", "172.31.250.11/24", "dev", "eth0");
            node.check("ip", "link", "set", "eth0", "up");
            node.check("ip", "route", "add", "192.0.2.0/24", "dev", "eth0");
            HostGwRoutes routes = new HostGwRoutes(new NodeExec(RUN, Optional.of(node.name())));
            routes.sync(List.of(new HostGwRoutes.NodeRoute("10.244.2.0/24", "172.31.250.12"),
                    new HostGwRoutes.NodeRoute("10.244.3.0/24", "172.31.250.13")));
            assertThat(routes.current()).containsExactlyInAnyOrderEntriesOf(
                    java.util.Map.of("10.244.2.0/24", "172.31.250.12", "10.244.3.0/24", "172.31.250.13"));
            routes.sync(List.of(new HostGwRoutes.NodeRoute("10.244.2.0/24", "172.31.250.14")));
            assertThat(routes.current()).containsExactlyEntriesOf(java.util.Map.of("10.244.2.0/24", "172.31.250.14"));
            String table = node.check("ip", "route", "show").stdout();
            assertThat(table).contains("192.0.2.0/24 dev eth0").doesNotContain("10.244.3.0");
        }
    }
}
