package dev.junction.proxy.userspace;

import dev.junction.proxy.EndpointInfo;
import dev.junction.proxy.EndpointsMap;
import dev.junction.proxy.NodeInfo;
import dev.junction.proxy.Protocol;
import dev.junction.proxy.ProxySnapshot;
import dev.junction.proxy.ServicePortInfo;
import dev.junction.proxy.ServicePortMap;
import dev.junction.proxy.ServicePortName;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * The userspace proxy for {@code bench/proxy/l4.sh}: one TCP Service port proxied by a real
 * {@link UserspaceProxier} (no REDIRECT rules) from an ephemeral port of 127.0.0.1 to one
 * endpoint, printing {@code LISTENING port=N} once accepting, then running until killed.
 * Usage: {@code L4BenchProxy <backendHost> <backendPort>}.
 */
public final class L4BenchProxy {
    private L4BenchProxy() {
    }

    /** @param args backend host and port (the nginx backend of {@code ../shared/bench/l4-proxy.sh}) */
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2) {
            System.err.println("usage: L4BenchProxy <backendHost> <backendPort>");
            System.exit(2);
        }
        ServicePortName name = new ServicePortName("bench", "l4", "http", Protocol.TCP);
        UserspaceProxier proxier = new UserspaceProxier("127.0.0.1", Scheduler.RR, Duration.ofMillis(250),
                Optional.empty(), List.of());
        Runtime.getRuntime().addShutdownHook(new Thread(proxier::close));
        proxier.sync(new ProxySnapshot(
                ServicePortMap.of(Map.of(name, ServicePortInfo.clusterIP("10.96.0.1", 80, Protocol.TCP))),
                EndpointsMap.of(Map.of(name, List.of(EndpointInfo.ready(args[0], Integer.parseInt(args[1])))))),
                NodeInfo.named("bench"));
        System.out.println("LISTENING port=" + proxier.listenerPort(name).orElseThrow());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
