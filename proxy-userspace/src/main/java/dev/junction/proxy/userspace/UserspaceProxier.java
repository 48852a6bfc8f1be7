package dev.junction.proxy.userspace;

import dev.junction.common.net.NettyTransport;
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
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-proxy's userspace mode (kubernetes ≤ v1.25 pkg/proxy/userspace/proxier.go) on Netty: one
 * listener per Service port (TCP: {@link TcpProxyListener}, UDP: {@link UdpProxyListener}; SCTP is
 * not proxied) on an ephemeral port of {@code bindHost}, on the native epoll transport when it is
 * available ({@link NettyTransport}), a {@link LoadBalancer} per port fed with the port's usable
 * endpoints (ready, else serving-and-terminating; local ones only under internalTrafficPolicy
 * Local), and, when a {@link CommandRunner} is given, the {@link PortalRules}. Listeners of ports
 * that disappear are closed; a port whose protocol changes gets a new listener.
 *
 * <p>Syncs are incremental, in the shape of upstream's iptables partial syncs (kubernetes v1.33
 * pkg/proxy/iptables/proxier.go): a port whose Service and endpoints are unchanged since the last
 * sync is skipped without any work besides two {@code equals}; a changed port updates its balancer
 * and, only when its rules differ from the applied ones, has its bucket chains rewritten by one
 * {@code iptables-restore --noflush} ({@link PortalRules#buckets}); no command runs when no rule
 * changed, and a sync with no change at all (the runner's periodic one) runs nothing. When the
 * snapshot names its changed ports ({@link ProxySnapshot#changedSince}) only those are looked at.
 * A full sync — the first, or after a failure — installs the jumps and rewrites every chain. A
 * failed partial restore is retried at once as a full rewrite.
 *
 * <p>Hand flushes are found by {@link #checkJumps()}, every {@code fullSyncPeriod} on its own thread
 * once {@link #startJumpMonitor()} is called (upstream userspace mode re-ensured its portals on every
 * periodic sync; its iptables mode watches canary chains from a separate monitor): it lists the
 * five built-in chains that hold the {@link PortalRules#JUMPS jump rules} ({@code iptables -S})
 * without holding the sync lock, so a change never waits behind it, and when a jump is missing
 * re-inserts it and rewrites every chain: the rules are repaired within syncPeriod.
 */
public final class UserspaceProxier implements Proxier, AutoCloseable {
    /** Default time between jump checks: upstream's default syncPeriod. */
    public static final Duration DEFAULT_FULL_SYNC_PERIOD = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(UserspaceProxier.class);
    /**
     * System property that forces the listeners' Netty transport, {@code nio}, {@code epoll} or {@code io_uring}
     * (default: native epoll when it loads; {@link NettyTransport#select(String)}).
     */
    public static final String TRANSPORT_PROPERTY = "junction.proxy.userspace.transport";
    private static final PortalRules.PortRules NO_RULES = new PortalRules.PortRules(0, List.of(), List.of());

    private final EventLoopGroup group;
    private final NettyTransport transport;
    private final String bindHost;
    private final Scheduler scheduler;
    private final Duration udpIdleTimeout;
    private final Optional<CommandRunner> runner;
    private final List<String> argvPrefix;
    private final long fullSyncPeriodNanos;
    private final LongSupplier nanoTime;
    private final SortedMap<ServicePortName, Port> ports = new TreeMap<>();
    /** The rules in the kernel, per port (as of the last successful restore). */
    private final Map<ServicePortName, PortalRules.PortRules> applied = new HashMap<>();
    /** Ports whose rules may differ from {@link #applied}. */
    private final Set<ServicePortName> dirty = new HashSet<>();
    private boolean needRewrite = true;
    /** The snapshot the listeners and balancers were last brought to. */
    private ProxySnapshot synced = ProxySnapshot.EMPTY;
    /** False until a sync got through its ports (then {@link #synced} is exact). */
    private boolean portsSynced;
    private int lastExamined;
    private final AtomicLong jumpChecks = new AtomicLong();
    private volatile long lastJumpCheck;
    private ScheduledExecutorService monitor;
    private long fullSyncs;
    private long partialSyncs;
    private long restores;

    private record Port(ServicePortInfo info, List<EndpointInfo> endpoints, LoadBalancer balancer, AutoCloseable listener,
            int listenerPort, PortalRules.PortRules rules) {
    }

    /**
     * A proxier on {@link NettyTransport#select(String)}'s transport, checking its jump rules at most
     * every {@link #DEFAULT_FULL_SYNC_PERIOD}.
     *
     * @param bindHost       address the listeners bind (e.g. {@code 0.0.0.0}, or {@code 127.0.0.1} in tests)
     * @param scheduler      endpoint selection for new clients
     * @param udpIdleTimeout idle time after which a UDP session closes (upstream default 250 ms)
     * @param runner         runs iptables for the REDIRECT rules; empty: no rules (clients dial listeners directly)
     * @param argvPrefix     prepended to every iptables command
     */
    public UserspaceProxier(String bindHost, Scheduler scheduler, Duration udpIdleTimeout, Optional<CommandRunner> runner,
            List<String> argvPrefix) {
        this(bindHost, scheduler, udpIdleTimeout, runner, argvPrefix, NettyTransport.select(UserspaceProxier.TRANSPORT_PROPERTY), DEFAULT_FULL_SYNC_PERIOD,
                System::nanoTime);
    }

    /**
     * @param transport      epoll or NIO ({@link NettyTransport#select(String)} picks the best available)
     * @param fullSyncPeriod time between jump checks once {@link #startJumpMonitor()} runs; the config's syncPeriod
     * @param nanoTime       monotonic clock in nanoseconds ({@code System::nanoTime}), for {@link #lastJumpCheckNanos()}
     * @throws IllegalStateException when {@code transport} cannot run here
     */
    public UserspaceProxier(String bindHost, Scheduler scheduler, Duration udpIdleTimeout, Optional<CommandRunner> runner,
            List<String> argvPrefix, NettyTransport transport, Duration fullSyncPeriod, LongSupplier nanoTime) {
        this.bindHost = requireNonNull(bindHost, "bindHost");
        this.scheduler = requireNonNull(scheduler, "scheduler");
        this.udpIdleTimeout = requireNonNull(udpIdleTimeout, "udpIdleTimeout");
        this.runner = requireNonNull(runner, "runner");
        this.argvPrefix = List.copyOf(argvPrefix);
        this.transport = requireNonNull(transport, "transport").requireAvailable();
        this.fullSyncPeriodNanos = requireNonNull(fullSyncPeriod, "fullSyncPeriod").toNanos();
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
        // One I/O thread per core, at least 2 (measured on 2 vCPUs: 1 thread gives ~30% fewer rps).
        this.group = new MultiThreadIoEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()),
                transport.ioHandlerFactory());
    }

    /**
     * Makes listeners, balancers and rules match {@code snapshot}, touching only changed ports.
     * When the snapshot says which ports changed since the last one synced here
     * ({@link ProxySnapshot#changedSince}), only those are looked at: O(changed · log n); otherwise
     * (the first sync, a snapshot from elsewhere, or after a sync that threw before its ports were
     * updated) every port is compared.
     *
     * @throws IllegalStateException                      when a listener cannot bind
     * @throws dev.junction.common.CommandFailedException when the rules cannot be applied (the next sync is full)
     */
    @Override
    public synchronized void sync(ProxySnapshot snapshot, NodeInfo node) {
        requireNonNull(snapshot, "snapshot");
        Optional<Set<ServicePortName>> delta = portsSynced ? snapshot.changedSince(synced) : Optional.empty();
        portsSynced = false;
        boolean changed = false;
        int examined = 0;
        if (delta.isPresent()) {
            for (ServicePortName name : delta.get()) {
                examined++;
                changed |= syncPort(snapshot, name);
            }
        } else {
            SortedMap<ServicePortName, ServicePortInfo> wanted = snapshot.services().ports();
            Iterator<Map.Entry<ServicePortName, Port>> it = ports.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<ServicePortName, Port> e = it.next();
                ServicePortName name = e.getKey(); // read before remove(): TreeMap reuses the entry
                ServicePortInfo now = wanted.get(name);
                if (now == null || now.protocol() != e.getValue().info().protocol()) {
                    closeQuietly(e.getValue().listener());
                    it.remove();
                    dirty.add(name);
                    changed = true;
                }
            }
            for (ServicePortName name : wanted.keySet()) {
                examined++;
                changed |= syncPort(snapshot, name);
            }
        }
        synced = snapshot;
        portsSynced = true;
        lastExamined = examined;
        if (runner.isEmpty()) {
            dirty.clear();
            return;
        }
        if (changed || needRewrite) {
            applyRules(runner.get());
        }
    }

    /**
     * Brings one port's listener and balancer to {@code snapshot}'s state and marks it dirty when
     * its rules change.
     *
     * @return whether anything changed
     */
    private boolean syncPort(ProxySnapshot snapshot, ServicePortName name) {
        ServicePortInfo svc = snapshot.services().ports().get(name);
        Port port = ports.get(name);
        boolean changed = false;
        if (port != null && (svc == null || svc.protocol() != port.info().protocol())) {
            closeQuietly(port.listener());
            ports.remove(name);
            dirty.add(name);
            port = null;
            changed = true;
        }
        if (svc == null || svc.protocol() == Protocol.SCTP) {
            return changed;
        }
        List<EndpointInfo> endpoints = snapshot.endpoints().get(name);
        if (port != null && port.info().equals(svc) && port.endpoints().equals(endpoints)) {
            return changed;
        }
        port = update(name, svc, endpoints, port);
        ports.put(name, port);
        if (!port.rules().equals(applied.get(name))) {
            dirty.add(name);
        }
        return true;
    }

    /**
     * How many Service ports the last sync looked at: the changed ones when the snapshot said which,
     * else every port (for tests and benchmarks: the work is proportional to this).
     */
    public synchronized int lastSyncPortsExamined() {
        return lastExamined;
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

    /**
     * The rules of every proxied port as a full {@code iptables-restore} input (the chains' content
     * after the last sync; computed on each call).
     */
    public synchronized String lastRules() {
        if (runner.isEmpty()) {
            return "";
        }
        return PortalRules.full(ports.values().stream().map(Port::rules).toList());
    }

    /** Number of full rewrites (jumps installed or repaired, every chain written) so far. */
    public synchronized long fullSyncs() {
        return fullSyncs;
    }

    /** Number of partial syncs (only changed buckets written, or nothing) so far. */
    public synchronized long partialSyncs() {
        return partialSyncs;
    }

    /** Number of {@code iptables-restore} runs so far. */
    public synchronized long restores() {
        return restores;
    }

    /** The transport the listeners run on. */
    public NettyTransport transport() {
        return transport;
    }

    /** Closes every listener and the event loops; rules stay. */
    @Override
    public synchronized void close() {
        if (monitor != null) {
            monitor.shutdownNow();
        }
        ports.values().forEach(p -> closeQuietly(p.listener()));
        ports.clear();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A port's listener (new, or the existing one), balancer update and rules. */
    private Port update(ServicePortName name, ServicePortInfo svc, List<EndpointInfo> endpoints, Port previous) {
        LoadBalancer balancer;
        AutoCloseable listener;
        int bound;
        if (previous == null) {
            balancer = new LoadBalancer(scheduler, Clock.systemUTC());
            InetAddress vip = address(svc.clusterIP());
            if (svc.protocol() == Protocol.TCP) {
                TcpProxyListener tcp = new TcpProxyListener(group, transport, bindHost, 0, name, balancer, vip);
                listener = tcp;
                bound = tcp.port();
            } else {
                UdpProxyListener udp = new UdpProxyListener(group, transport, bindHost, 0, name, balancer, vip, udpIdleTimeout);
                listener = udp;
                bound = udp.port();
            }
            LOG.info("{} ({}) listening on {}:{}", name, svc.protocol(), bindHost, bound);
        } else {
            balancer = previous.balancer();
            listener = previous.listener();
            bound = previous.listenerPort();
        }
        CategorizedEndpoints eps = CategorizedEndpoints.of(endpoints, svc);
        List<EndpointInfo> usable = svc.internalPolicyLocal() ? eps.local() : eps.cluster();
        balancer.update(usable, svc.sessionAffinity());
        PortalRules.PortRules rules = runner.isPresent()
                ? PortalRules.of(name, svc, OptionalInt.of(bound), !usable.isEmpty()) : NO_RULES;
        return new Port(svc, endpoints, balancer, listener, bound, rules);
    }

    /** Applies the dirty ports' buckets, or everything (with the jumps) when the kernel's state is unknown. */
    private void applyRules(CommandRunner run) {
        boolean rewrite = needRewrite; // first sync, or the last one failed: the kernel's state is unknown
        boolean full = rewrite;
        needRewrite = true;
        if (full && ensureJumps(run)) {
            rewrite = true;
        }
        if (!rewrite && !dirty.isEmpty()) {
            Set<Integer> natBuckets = new HashSet<>();
            Set<Integer> filterBuckets = new HashSet<>();
            for (ServicePortName name : dirty) {
                PortalRules.PortRules before = applied.getOrDefault(name, NO_RULES);
                Port port = ports.get(name);
                PortalRules.PortRules after = port == null ? NO_RULES : port.rules();
                int bucket = PortalRules.bucket(name);
                if (!before.nat().equals(after.nat())) {
                    natBuckets.add(bucket);
                }
                if (!before.filter().equals(after.filter())) {
                    filterBuckets.add(bucket);
                }
            }
            String input = PortalRules.buckets(() -> ports.values().stream().map(Port::rules).iterator(), natBuckets,
                    filterBuckets);
            if (!input.isEmpty()) {
                if (restore(run, input).ok()) {
                    for (ServicePortName name : dirty) {
                        Port port = ports.get(name);
                        if (port == null) {
                            applied.remove(name);
                        } else {
                            applied.put(name, port.rules());
                        }
                    }
                } else {
                    LOG.warn("partial sync of {} ports failed: rewriting the chains", dirty.size());
                    rewrite = true;
                }
            }
        }
        if (rewrite) {
            restore(run, PortalRules.full(ports.values().stream().map(Port::rules).toList())).orThrow();
            applied.clear();
            ports.forEach((name, port) -> applied.put(name, port.rules()));
        }
        dirty.clear();
        needRewrite = false;
        if (full) {
            fullSyncs++;
        } else {
            partialSyncs++;
        }
    }

    /**
     * Checks that the jumps into our chains are in place, as upstream's iptables {@code Monitor}
     * (kubernetes pkg/util/iptables/monitor.go, run by the iptables proxier every syncPeriod) checks
     * its canary chains: lists the built-in chains ({@link #missingJumps}) without holding the sync
     * lock, so a sync never waits for it; when a jump is missing (a hand flush), re-inserts it and
     * rewrites every chain under the lock. Before the first sync, or when the sync after a failure
     * will rewrite everything anyway, does nothing. Called every {@code fullSyncPeriod} by
     * {@link #startJumpMonitor()}.
     *
     * @return true when the rules were repaired
     * @throws dev.junction.common.CommandFailedException when a jump cannot be inserted or the rewrite fails
     *                                                    (the next sync then rewrites everything)
     */
    public boolean checkJumps() {
        if (runner.isEmpty()) {
            return false;
        }
        CommandRunner run = runner.get();
        synchronized (this) {
            if (needRewrite) {
                return false;
            }
        }
        jumpChecks.incrementAndGet();
        lastJumpCheck = nanoTime.getAsLong();
        if (missingJumps(run).isEmpty()) {
            return false;
        }
        synchronized (this) {
            if (needRewrite) {
                return false;
            }
            needRewrite = true;
            if (!ensureJumps(run)) {
                needRewrite = false;
                return false;
            }
            restore(run, PortalRules.full(ports.values().stream().map(Port::rules).toList())).orThrow();
            applied.clear();
            ports.forEach((name, port) -> applied.put(name, port.rules()));
            needRewrite = false;
            fullSyncs++;
            return true;
        }
    }

    /**
     * Runs {@link #checkJumps()} every {@code fullSyncPeriod} on a daemon thread until {@link #close()}
     * (a failed check is logged and retried at the next period). Idempotent.
     */
    public synchronized void startJumpMonitor() {
        if (monitor != null || runner.isEmpty()) {
            return;
        }
        monitor = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("userspace-jump-monitor")
                .unstarted(r));
        monitor.scheduleWithFixedDelay(() -> {
            try {
                checkJumps();
            } catch (RuntimeException e) {
                LOG.warn("jump check failed: {}", e.toString());
            }
        }, fullSyncPeriodNanos, fullSyncPeriodNanos, TimeUnit.NANOSECONDS);
    }

    /** Number of jump checks {@link #checkJumps()} ran (listings, not counting skipped calls). */
    public long jumpChecks() {
        return jumpChecks.get();
    }

    /** The {@code nanoTime} of the last jump check (0 before the first). */
    public long lastJumpCheckNanos() {
        return lastJumpCheck;
    }

    /**
     * The jumps whose built-in chain has no rule jumping to their target: lists each built-in chain
     * that holds a jump once ({@code iptables -t TABLE -S CHAIN}: reads that chain only, ~10 ms, where
     * {@code iptables -C} made iptables-nft fetch the whole table, 1-3 s at 10,000 Services). A
     * listing that fails counts as empty.
     */
    private List<List<String>> missingJumps(CommandRunner run) {
        List<List<String>> missing = new ArrayList<>();
        Map<String, String> listed = new HashMap<>();
        for (List<String> jump : PortalRules.JUMPS) {
            String table = jump.get(0);
            String builtin = jump.get(1);
            String rules = listed.computeIfAbsent(table + " " + builtin, k -> {
                var result = run.run(argv("iptables", "-w", "5", "-t", table, "-S", builtin), "", CommandRunner.DEFAULT_TIMEOUT);
                return result.ok() ? result.stdout() : "";
            });
            if (!jumps(rules, builtin, jump.get(jump.size() - 1))) {
                missing.add(jump);
            }
        }
        return missing;
    }

    /**
     * For each {@linkplain #missingJumps missing jump}, creates the chain and inserts the jump.
     *
     * @return true when a jump was (re)inserted: the chains must then be rewritten
     * @throws dev.junction.common.CommandFailedException when a jump cannot be inserted
     */
    private boolean ensureJumps(CommandRunner run) {
        boolean inserted = false;
        for (List<String> jump : missingJumps(run)) {
            String table = jump.get(0);
            String builtin = jump.get(1);
            String chain = jump.get(jump.size() - 1);
            run.run(argv("iptables", "-w", "5", "-t", table, "-N", chain), "", CommandRunner.DEFAULT_TIMEOUT);
            List<String> insert = argv("iptables", "-w", "5", "-t", table, "-I", builtin);
            insert.addAll(jump.subList(2, jump.size()));
            run.run(insert, "", CommandRunner.DEFAULT_TIMEOUT).orThrow();
            if (fullSyncs > 0) {
                LOG.info("{} {}: jump to {} was missing (flushed?): inserted, rewriting the chains", table, builtin, chain);
            }
            inserted = true;
        }
        return inserted;
    }

    /** Whether {@code iptables -S builtin} output {@code rules} has a rule jumping to {@code chain}. */
    static boolean jumps(String rules, String builtin, String chain) {
        String prefix = "-A " + builtin + " ";
        String suffix = " -j " + chain;
        return rules.lines().anyMatch(l -> l.startsWith(prefix) && l.stripTrailing().endsWith(suffix));
    }

    private dev.junction.common.CommandResult restore(CommandRunner run, String input) {
        restores++;
        var result = run.run(argv("iptables-restore", "-w", "5", "--noflush"), input, CommandRunner.DEFAULT_TIMEOUT);
        if (!result.ok()) {
            LOG.warn("iptables-restore failed: {}", result.stderr().strip());
        }
        return result;
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
