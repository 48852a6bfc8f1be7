package dev.junction.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Golden test of the ipvs-mode state for ClusterIP, NodePort, LB with source ranges, ETP Local and affinity. */
class IpvsRendererTest {
    @Test
    void rendersVirtualServersIpsetsAndDummyAddresses() {
        ServicePortName web = new ServicePortName("ns1", "web", "http", Protocol.TCP);
        ServicePortName lb = new ServicePortName("ns2", "lb", "http", Protocol.TCP);
        ServicePortName dns = new ServicePortName("kube-system", "kube-dns", "dns", Protocol.UDP);
        EndpointInfo local = new EndpointInfo("10.244.1.2", 8080, true, true, false, Optional.of("n"), true);
        EndpointInfo remote = new EndpointInfo("10.244.2.2", 8080, true, true, false, Optional.of("m"), false);
        ProxySnapshot snapshot = new ProxySnapshot(
                ServicePortMap.of(Map.of(
                        web, ServicePortInfo.clusterIP("10.96.0.20", 80, Protocol.TCP).withNodePort(30080)
                                .withSessionAffinity(SessionAffinity.clientIp(600)),
                        lb, ServicePortInfo.clusterIP("10.96.0.30", 80, Protocol.TCP).withNodePort(30081)
                                .withExternal(List.of(), List.of("172.30.0.200"), List.of("172.30.0.0/24"))
                                .withPolicies(TrafficPolicy.LOCAL, TrafficPolicy.CLUSTER, 31000),
                        dns, ServicePortInfo.clusterIP("10.96.0.10", 53, Protocol.UDP))),
                EndpointsMap.of(Map.of(web, List.of(local, remote), lb, List.of(local, remote),
                        dns, List.of(EndpointInfo.ready("10.244.0.5", 53)))));
        IpvsRenderer.IpvsState state = IpvsRenderer.render(snapshot, new NodeInfo("n", Map.of(), List.of("172.30.0.11"), List.of()));
        assertThat(state.text()).isEqualTo("""
                # ipvsadm
                -A -t 10.96.0.20:80 -s rr -p 600
                -a -t 10.96.0.20:80 -r 10.244.1.2:8080 -m -w 1
                -a -t 10.96.0.20:80 -r 10.244.2.2:8080 -m -w 1
                -A -t 10.96.0.30:80 -s rr
                -a -t 10.96.0.30:80 -r 10.244.1.2:8080 -m -w 1
                -a -t 10.96.0.30:80 -r 10.244.2.2:8080 -m -w 1
                -A -t 172.30.0.11:30080 -s rr -p 600
                -a -t 172.30.0.11:30080 -r 10.244.1.2:8080 -m -w 1
                -a -t 172.30.0.11:30080 -r 10.244.2.2:8080 -m -w 1
                -A -t 172.30.0.11:30081 -s rr
                -a -t 172.30.0.11:30081 -r 10.244.1.2:8080 -m -w 1
                -A -t 172.30.0.200:80 -s rr
                -a -t 172.30.0.200:80 -r 10.244.1.2:8080 -m -w 1
                -A -u 10.96.0.10:53 -s rr
                -a -u 10.96.0.10:53 -r 10.244.0.5:53 -m -w 1
                # ipset
                create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536
                add KUBE-CLUSTER-IP 10.96.0.10,udp:53
                add KUBE-CLUSTER-IP 10.96.0.20,tcp:80
                add KUBE-CLUSTER-IP 10.96.0.30,tcp:80
                create KUBE-EXTERNAL-IP hash:ip,port family inet hashsize 1024 maxelem 65536
                create KUBE-EXTERNAL-IP-LOCAL hash:ip,port family inet hashsize 1024 maxelem 65536
                create KUBE-LOAD-BALANCER hash:ip,port family inet hashsize 1024 maxelem 65536
                add KUBE-LOAD-BALANCER 172.30.0.200,tcp:80
                create KUBE-LOAD-BALANCER-FW hash:ip,port family inet hashsize 1024 maxelem 65536
                add KUBE-LOAD-BALANCER-FW 172.30.0.200,tcp:80
                create KUBE-LOAD-BALANCER-LOCAL hash:ip,port family inet hashsize 1024 maxelem 65536
                add KUBE-LOAD-BALANCER-LOCAL 172.30.0.200,tcp:80
                create KUBE-LOAD-BALANCER-SOURCE-CIDR hash:ip,port,net family inet hashsize 1024 maxelem 65536
                add KUBE-LOAD-BALANCER-SOURCE-CIDR 172.30.0.200,tcp:80,172.30.0.0/24
                create KUBE-LOOP-BACK hash:ip,port,ip family inet hashsize 1024 maxelem 65536
                add KUBE-LOOP-BACK 10.244.0.5,udp:53,10.244.0.5
                add KUBE-LOOP-BACK 10.244.1.2,tcp:8080,10.244.1.2
                add KUBE-LOOP-BACK 10.244.2.2,tcp:8080,10.244.2.2
                create KUBE-NODE-PORT-LOCAL-TCP bitmap:port range 0-65535
                add KUBE-NODE-PORT-LOCAL-TCP 30081
                create KUBE-NODE-PORT-LOCAL-UDP bitmap:port range 0-65535
                create KUBE-NODE-PORT-TCP bitmap:port range 0-65535
                add KUBE-NODE-PORT-TCP 30080
                add KUBE-NODE-PORT-TCP 30081
                create KUBE-NODE-PORT-UDP bitmap:port range 0-65535
                # kube-ipvs0
                10.96.0.10/32
                10.96.0.20/32
                10.96.0.30/32
                172.30.0.200/32
                """);
    }
}
