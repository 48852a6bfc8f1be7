package dev.junction.bench.proxy;

import dev.junction.proxy.EndpointInfo;
import dev.junction.proxy.EndpointsMap;
import dev.junction.proxy.Protocol;
import dev.junction.proxy.ProxySnapshot;
import dev.junction.proxy.ServicePortInfo;
import dev.junction.proxy.ServicePortMap;
import dev.junction.proxy.ServicePortName;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Synthetic clusters of the shape of ../shared/bench/gen-kube-rules.py: S ClusterIP Services
 * (10.96.0.0/12 addresses, TCP port 80) with E ready endpoints each (10.244.0.0/16, port 8080).
 */
public final class Snapshots {
    private Snapshots() {
    }

    /** {@code services} Services × {@code endpoints} endpoints; {@code generation} shifts one endpoint of Service 0. */
    public static ProxySnapshot cluster(int services, int endpoints, int generation) {
        Map<ServicePortName, ServicePortInfo> ports = new TreeMap<>();
        Map<ServicePortName, List<EndpointInfo>> eps = new TreeMap<>();
        int ep = 0;
        for (int i = 0; i < services; i++) {
            ServicePortName name = new ServicePortName("ns" + (i % 100), "svc" + i, "http", Protocol.TCP);
            int vip = i + 1;
            ports.put(name, ServicePortInfo.clusterIP("10.96." + (vip >> 8 & 0xff) + "." + (vip & 0xff), 80, Protocol.TCP));
            List<EndpointInfo> list = new ArrayList<>();
            for (int j = 0; j < endpoints; j++) {
                int a = ep++ + (i == 0 && j == 0 ? generation * 1_000_000 : 0);
                list.add(EndpointInfo.ready("10." + (244 + (a >> 16 & 0x3)) + "." + (a >> 8 & 0xff) + "." + (a & 0xff), 8080));
            }
            eps.put(name, list);
        }
        return new ProxySnapshot(ServicePortMap.of(ports), EndpointsMap.of(eps));
    }

    /**
     * {@code base} with the first endpoint of its first Service replaced (generation-specific
     * address), every other object shared, as the change trackers hand over an endpoint update.
     */
    public static ProxySnapshot withOneEndpointChanged(ProxySnapshot base, int generation) {
        ServicePortName first = base.services().ports().firstKey();
        List<EndpointInfo> list = new ArrayList<>(base.endpoints().get(first));
        list.set(0, EndpointInfo.ready("10.250." + (generation >> 8 & 0xff) + "." + (generation & 0xff), 8080));
        list.sort(null);
        TreeMap<ServicePortName, List<EndpointInfo>> eps = new TreeMap<>(base.endpoints().endpoints());
        eps.put(first, list);
        return new ProxySnapshot(base.services(), EndpointsMap.of(eps));
    }
}
