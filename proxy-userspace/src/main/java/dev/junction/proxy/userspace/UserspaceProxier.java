package dev.junction.proxy.userspace;

import static java.util.Objects.requireNonNull;

import dev.junction.common.CommandRunner;
import dev.junction.proxy.CategorizedEndpoints;
import dev.junction.proxy.EndpointInfo;
import dev.junction.proxy.NodeInfo;
import dev.junction.proxy.Protocol;
import dev.junction.proxy.Proxier;
import dev.junction.proxy.ProxySnapshot;
import dev.junction.proxy.ServicePortInfo;
import dev.junction.proxy.ServicePortName;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-proxy's userspace mode (kubernetes ≤ v1.25 pkg/proxy/userspace/proxier.go) on Netty: one
 * listener per Service port (TCP: {@link TcpProxyListener}, UDP: {@link UdpProxyListener}; SCTP is
 * not proxied) on an ephemeral port of {@code bindHost}, a {@link LoadBalancer} per port fed with
 * the port's usable endpoints (ready, else serving-and-terminating; local ones only under
 * internalTrafficPolicy Local), and, when {@code redirect} is on, the {@link PortalRules} applied
 * with one {@code iptables-restore --noflush} per sync (jump rules inserted once). Listeners of
 * ports that disappear are closed; a port whose protocol or number changes gets a new listener.
 */
public final class UserspaceProxier implements Proxier, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UserspaceProxier.class);

    private final EventLoopGroup group;
    private final String bindHost;
    private final Scheduler scheduler;
    private final Duration udpIdleTimeout;
    private final Optional<CommandRunner> runner;
    private final List<String> argvPrefix;
    private final Map<ServicePortName, Port> ports = new HashMap<>();
    private boolean jumpsInstalled;
    private String lastRules = "";

    private record Port(ServicePortInfo info, LoadBalancer balancer, AutoCloseable listener, int listenerPort) {
    }

    /**
     * @param bindHost       address the listeners bind (e.g. {@code 0.0.0.0}, or {@code 127.0.0.1} in tests)
     * @param scheduler      endpoint selection for new clients
     * @param udpIdleTimeout idle time after which a UDP session closes (upstream default 250 ms)
     * @param runner         runs iptables for the REDIRECT rules; empty: no rules (clients dial listeners directly)
     * @param argvPrefix     prepended to every iptables command
     */
    public UserspaceProxier(String bindHost, Scheduler scheduler, Duration udpIdleTimeout, Optional<CommandRunner> runner,
            List<String> argvPrefix) {
        this.bindHost = requireNonNull(bindHost, "bindHost");
        this.scheduler = requireNonNull(scheduler, "scheduler");
        this.udpIdleTimeout = requireNonNull(udpIdleTimeout, "udpIdleTimeout");
        this.runner = requireNonNull(runner, "runner");
        this.argvPrefix = List.copyOf(argvPrefix);
        // One I/O thread per core, at least 2 (measured on 2 vCPUs: 1 thread gives ~30% fewer rps).
        this.group = new MultiThreadIoEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()),
                NioIoHandler.newFactory());
    }

    @Override
    public synchronized void sync(ProxySnapshot snapshot, NodeInfo node) {
        requireNonNull(snapshot, "snapshot");
        Set<ServicePortName> withEndpoints = new HashSet<>();
        Map<ServicePortName, ServicePortInfo> wanted = new HashMap<>();
        for (Map.Entry<ServicePortName, ServicePortInfo> e : snapshot.services().ports().entrySet()) {
            if (e.getValue().protocol() != Protocol.SCTP) {
                wanted.put(e.getKey(), e.getValue());
            }
        }
        ports.entrySet().removeIf(e -> {
            ServicePortInfo now = wanted.get(e.getKey());
            if (now == null || now.protocol() != e.getValue().info().protocol()) {
                closeQuietly(e.getValue().listener());
                return true;
            }
            return false;
        });
        Map<ServicePortName, Integer> listenerPorts = new HashMap<>();
        for (Map.Entry<ServicePortName, ServicePortInfo> e : wanted.entrySet()) {
            ServicePortInfo svc = e.getValue();
            Port port = ports.get(e.getKey());
            if (port == null) {
                LoadBalancer balancer = new LoadBalancer(scheduler, Clock.systemUTC());
                InetAddress vip = address(svc.clusterIP());
                AutoCloseable listener;
                int bound;
                if (svc.protocol() == Protocol.TCP) {
                    TcpProxyListener tcp = new TcpProxyListener(group, bindHost, 0, e.getKey(), balancer, vip);
                    listener = tcp;
                    bound = tcp.port();
                } else {
                    UdpProxyListener udp = new UdpProxyListener(group, bindHost, 0, e.getKey(), balancer, vip, udpIdleTimeout);
                    listener = udp;
                    bound = udp.port();
                }
                port = new Port(svc, balancer, listener, bound);
                LOG.info("{} ({}) listening on {}:{}", e.getKey(), svc.protocol(), bindHost, bound);
            } else {
                port = new Port(svc, port.balancer(), port.listener(), port.listenerPort());
            }
            ports.put(e.getKey(), port);
            CategorizedEndpoints eps = CategorizedEndpoints.of(snapshot.endpoints().get(e.getKey()), svc);
            List<EndpointInfo> usable = svc.internalPolicyLocal() ? eps.local() : eps.cluster();
            port.balancer().update(usable, svc.sessionAffinity());
            if (!usable.isEmpty()) {
                withEndpoints.add(e.getKey());
            }
            listenerPorts.put(e.getKey(), port.listenerPort());
        }
        if (runner.isPresent()) {
            applyRules(runner.get(), PortalRules.render(wanted, listenerPorts, withEndpoints));
        }
    }

    /** The listener port of a Service port, when it is proxied. */
    public synchronized Optional<Integer> listenerPort(ServicePortName name) {
        return Optional.ofNullable(ports.get(name)).map(Port::listenerPort);
    }

    /** The load balancer of a Service port, when it is proxied. */
    public synchronized Optional<LoadBalancer> balancer(ServicePortName name) {
        return Optional.ofNullable(ports.get(name)).map(Port::balancer);
    }

    /** The UDP listener of a Service port, when it is a proxied UDP port. */
    public synchronized Optional<UdpProxyListener> udpListener(ServicePortName name) {
        return Optional.ofNullable(ports.get(name)).map(Port::listener)
                .filter(UdpProxyListener.class::isInstance).map(UdpProxyListener.class::cast);
    }

    /** The rules of the last sync (empty when redirect rules are off). */
    public synchronized String lastRules() {
        return lastRules;
    }

    /** Closes every listener and the event loops; rules stay. */
    @Override
    public synchronized void close() {
        ports.values().forEach(p -> closeQuietly(p.listener()));
        ports.clear();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private void applyRules(CommandRunner run, String rules) {
        // Every sync (and so at least every syncPeriod) checks the jumps, as upstream's userspace
        // proxier re-ensured its portals: after a hand flush they are re-inserted and the portal
        // chains rewritten, so the rules are repaired within syncPeriod.
        for (List<String> jump : PortalRules.JUMPS) {
            List<String> check = argv("iptables", "-w", "5", "-t", jump.get(0), "-C", jump.get(1));
            check.addAll(jump.subList(2, jump.size()));
            if (jumpsInstalled && run.run(check, "", CommandRunner.DEFAULT_TIMEOUT).ok()) {
                continue;
            }
            String chain = jump.get(jump.size() - 1);
            run.run(argv("iptables", "-w", "5", "-t", jump.get(0), "-N", chain), "", CommandRunner.DEFAULT_TIMEOUT);
            if (!run.run(check, "", CommandRunner.DEFAULT_TIMEOUT).ok()) {
                List<String> insert = argv("iptables", "-w", "5", "-t", jump.get(0), "-I", jump.get(1));
                insert.addAll(jump.subList(2, jump.size()));
                run.run(insert, "", CommandRunner.DEFAULT_TIMEOUT).orThrow();
                lastRules = "";
            }
        }
        jumpsInstalled = true;
        if (rules.equals(lastRules)) {
            return;
        }
        var result = run.run(argv("iptables-restore", "-w", "5", "--noflush"), rules, CommandRunner.DEFAULT_TIMEOUT);
        if (!result.ok()) {
            jumpsInstalled = false;
            LOG.warn("iptables-restore failed: {}", result.stderr().strip());
        }
        result.orThrow();
        lastRules = rules;
    }

    private List<String> argv(String... command) {
        List<String> out = new ArrayList<>(argvPrefix);
        out.addAll(List.of(command));
        return out;
    }

    private static InetAddress address(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("clusterIP: " + ip + " (expected: an IPv4 address)", e);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("close failed: {}", e.toString());
        }
    }
}
