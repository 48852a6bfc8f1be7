package dev.junction.proxy.nftables;

import static java.util.Objects.requireNonNull;

import dev.junction.common.CommandResult;
import dev.junction.common.CommandRunner;
import dev.junction.proxy.ConntrackCleaner;
import dev.junction.proxy.EndpointInfo;
import dev.junction.proxy.EndpointsMap;
import dev.junction.proxy.NodeInfo;
import dev.junction.proxy.Proxier;
import dev.junction.proxy.ProxyConfig;
import dev.junction.proxy.ProxySnapshot;
import dev.junction.proxy.ServicePortInfo;
import dev.junction.proxy.ServicePortMap;
import dev.junction.proxy.ServicePortName;
import dev.junction.proxy.nftables.netlink.NetlinkException;
import dev.junction.proxy.nftables.netlink.NftBatch;
import dev.junction.proxy.nftables.netlink.NftBatchEncoder;
import dev.junction.proxy.nftables.netlink.NftBatchRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-proxy's nftables mode applied to a node (upstream {@code Proxier.syncProxyRules}, kubernetes
 * pkg/proxy/nftables/proxier.go). Each sync runs at most ONE {@code nft -f -}:
 * <ul>
 *   <li>full sync (first sync, after a failure, when the Node changed, or when the table was
 *       flushed or deleted behind our back): the whole table is replaced atomically
 *       ({@link NftablesRules#fullTransaction()});</li>
 *   <li>otherwise an incremental transaction ({@link NftablesRules#incrementalTransaction}) that
 *       touches only the Service ports whose rendered objects changed; nothing is run when nothing
 *       changed. Per-port rendering is cached, so a sync re-renders only changed ports.
 *       Netlink fast path: when every command of the incremental transaction is supported by
 *       {@link NftBatchEncoder} (endpoint and Service chains, their rules, element add/delete,
 *       chain and set deletes), it is sent as ONE nf_tables netlink batch instead of {@code nft -f}
 *       (nft 1.0.6 first dumps every chain of the table, ≈ 1 s at 10,000 Services); a rejected
 *       batch (the kernel then applies nothing) is followed by a full {@code nft -f} sync at once.
 *       Switch: {@link #NETLINK_PROPERTY} ({@code -Djunction.nftables.netlink=false} forces
 *       {@code nft}) or {@link #setNetlinkEnabled(boolean)}; on by default only with
 *       {@link CommandRunner#system()} (an injected runner means {@code nft} is not really run).</li>
 * </ul>
 * When a sync has nothing to change, the proxier checks that {@code mark-for-masquerade} still
 * holds its rule ({@link TableIntactCheck}: one netlink dump of that chain, or {@code nft list chain}
 * without netlink); if not (someone ran {@code nft flush ruleset} or flushed
 * the table), the next transaction is a full one. Stale UDP conntrack entries are deleted after each
 * sync ({@link ConntrackCleaner}). Every command goes through the injected {@link CommandRunner},
 * prefixed with {@code argvPrefix}.
 */
public final class NftablesProxier implements Proxier {
    private static final Logger LOG = LoggerFactory.getLogger(NftablesProxier.class);
    /** Time limit of one {@code nft -f}: a full sync of 10,000 Services can take a minute on a busy host. */
    public static final java.time.Duration APPLY_TIMEOUT = java.time.Duration.ofMinutes(5);

    /** System property that enables ({@code true}, the default) or disables the netlink fast path. */
    public static final String NETLINK_PROPERTY = "junction.nftables.netlink";
    /** How long a netlink batch may wait for the kernel's answers, in milliseconds. */
    private static final long NETLINK_TIMEOUT_MILLIS = 10_000;

    private final CommandRunner runner;
    private final List<String> argvPrefix;
    private final ProxyConfig config;
    private final List<String> serviceCIDRs;
    private final Map<ServicePortName, Cached> cache = new HashMap<>();
    /** The rendered rules of every port, kept sorted between syncs (updated only for changed ports). */
    private final NftablesRules.ServiceMap rendered = new NftablesRules.ServiceMap();
    private boolean needFullSync = true;
    private NodeInfo appliedNode;
    private ProxySnapshot appliedSnapshot = ProxySnapshot.EMPTY;
    private List<String> base = List.of();
    /** The incremental commands applied last; null when the last sync was a full transaction (in {@link #buffers}). */
    private List<NftOp> lastOps = List.of();
    private int lastRendered;
    private NftSyncTimings lastTimings;
    /** Text memory of full transactions, kept from one sync to the next (upstream reuses its transaction's memory). */
    private final NftTextBuffers buffers = new NftTextBuffers();
    private long fullSyncs;
    private long partialSyncs;
    private long netlinkSyncs;
    private long netlinkFailures;
    private long lastApplyNanos;
    private boolean netlinkEnabled;
    private final Optional<NftBatchRunner> netlink;
    private final TableIntactCheck intactCheck;

    private record Cached(ServicePortInfo svc, List<EndpointInfo> endpoints, NftServiceRules rules) {
    }

    /**
     * @param runner       executes nft and conntrack
     * @param argvPrefix   prepended to every command (e.g. {@code ip netns exec jnt-x}); empty for none
     * @param config       clusterCIDR, masquerade settings, nodePortAddresses
     * @param serviceCIDRs Service CIDRs whose unallocated addresses are dropped (may be empty)
     */
    public NftablesProxier(CommandRunner runner, List<String> argvPrefix, ProxyConfig config, List<String> serviceCIDRs) {
        this.runner = requireNonNull(runner, "runner");
        this.argvPrefix = List.copyOf(argvPrefix);
        this.config = requireNonNull(config, "config");
        this.serviceCIDRs = List.copyOf(serviceCIDRs);
        // With an injected runner nothing reaches the kernel through it, so netlink stays off unless asked for.
        this.netlinkEnabled = runner == CommandRunner.system()
                && Boolean.parseBoolean(System.getProperty(NETLINK_PROPERTY, "true"));
        this.netlink = netnsOf(this.argvPrefix).map(ns -> new NftBatchRunner(ns, NETLINK_TIMEOUT_MILLIS));
        this.intactCheck = new TableIntactCheck(runner, this.argvPrefix);
    }

    /**
     * The network namespace the argv prefix runs {@code nft} in, when the netlink path can follow it:
     * no prefix (this process's namespace, empty path), {@code ip netns exec NAME}
     * ({@code /var/run/netns/NAME}) or {@code nsenter --net=PATH}; anything else disables netlink.
     */
    static Optional<Optional<Path>> netnsOf(List<String> prefix) {
        if (prefix.isEmpty()) {
            return Optional.of(Optional.empty());
        }
        if (prefix.size() == 4 && prefix.get(0).endsWith("ip") && prefix.get(1).equals("netns") && prefix.get(2).equals("exec")) {
            return Optional.of(Optional.of(Path.of("/var/run/netns", prefix.get(3))));
        }
        if (prefix.size() == 2 && prefix.get(0).endsWith("nsenter") && prefix.get(1).startsWith("--net=")) {
            return Optional.of(Optional.of(Path.of(prefix.get(1).substring("--net=".length()))));
        }
        return Optional.empty();
    }

    /** Enables or disables the netlink fast path for incremental syncs (disabled: always {@code nft -f}). */
    public synchronized void setNetlinkEnabled(boolean enabled) {
        netlinkEnabled = enabled;
    }

    /** Whether incremental syncs may use the netlink fast path. */
    public synchronized boolean netlinkEnabled() {
        return netlinkEnabled && netlink.isPresent();
    }

    /**
     * @throws dev.junction.common.CommandFailedException when {@code nft -f} fails; the next sync is then a full one
     */
    @Override
    public synchronized void sync(ProxySnapshot snapshot, NodeInfo node) {
        requireNonNull(snapshot, "snapshot");
        requireNonNull(node, "node");
        long t0 = System.nanoTime();
        boolean full = needFullSync || !node.equals(appliedNode);
        needFullSync = true;
        if (full) {
            cache.clear();
            rendered.clear();
            base = NftablesRenderer.baseLines(config, node, serviceCIDRs);
        }
        Map<ServicePortName, NftServiceRules> before = new HashMap<>();
        Set<ServicePortName> touched = new HashSet<>();
        Optional<Set<ServicePortName>> delta = full ? Optional.empty() : snapshot.changedSince(appliedSnapshot);
        if (delta.isPresent()) {
            delta.get().forEach(name -> renderPort(snapshot, node, name, before, touched));
            lastRendered = delta.get().size();
        } else {
            render(snapshot, node, before, touched);
            lastRendered = snapshot.services().ports().size();
        }
        // A view of the kept map (no 10,000-entry copy per sync); used only within this sync.
        NftablesRules rules = new NftablesRules(base, rendered);
        long t1 = System.nanoTime();
        List<NftOp> ops = full ? List.of() : rules.incrementalOps(previousOf(before), before.keySet());
        byte[] fullInput = full ? rules.fullTransactionBytes(buffers) : null;
        long t2 = System.nanoTime();
        if (!full && ops.isEmpty() && !intactCheck.intact(netlinkEnabled() ? netlink : Optional.empty())) {
            LOG.info("nftables table kube-proxy was flushed or deleted; replacing it");
            full = true;
            fullInput = rules.fullTransactionBytes(buffers);
        }
        long t3 = System.nanoTime();
        boolean viaNetlink = false;
        long encodeNanos = 0;
        if (!full && !ops.isEmpty() && netlinkEnabled()) {
            Optional<NftBatch> batch = NftBatchEncoder.encode(ops, NftBatchRunner.nextSeq(ops.size() * 3));
            encodeNanos = System.nanoTime() - t3;
            if (batch.isPresent()) {
                try {
                    netlink.get().apply(batch.get());
                    viaNetlink = true;
                } catch (NetlinkException e) {
                    LOG.warn("nf_tables netlink batch failed ({}); falling back to a full nft sync", e.getMessage());
                    netlinkFailures++;
                    full = true;
                    fullInput = rules.fullTransactionBytes(buffers);
                }
            }
        }
        if ((full || !ops.isEmpty()) && !viaNetlink) {
            // A full transaction (~45 MB at 10,000 Services) goes to nft as the rendered bytes, no String copy.
            CommandResult result = full
                    ? runner.run(argv("nft", "-f", "-"), fullInput, APPLY_TIMEOUT)
                    : runner.run(argv("nft", "-f", "-"), NftOp.text(ops), APPLY_TIMEOUT);
            if (!result.ok()) {
                LOG.warn("nft -f failed: {}", result.stderr().strip());
            }
            result.orThrow();
        }
        long t4 = System.nanoTime();
        lastApplyNanos = t4 - t3;
        lastOps = full ? null : ops;
        ProxySnapshot previous = appliedSnapshot;
        appliedSnapshot = snapshot;
        appliedNode = node;
        needFullSync = false;
        if (full) {
            fullSyncs++;
        } else {
            partialSyncs++;
        }
        if (viaNetlink) {
            netlinkSyncs++;
        }
        // Only touched ports can need a conntrack flush (the others have the same Service and endpoints).
        ConntrackCleaner.run(runner, argvPrefix, full
                ? ConntrackCleaner.commands(previous, snapshot)
                : ConntrackCleaner.commands(restrict(previous, touched), restrict(snapshot, touched)));
        long t5 = System.nanoTime();
        lastTimings = new NftSyncTimings(full, viaNetlink, t1 - t0, t2 - t1, t3 - t2, encodeNanos, t4 - t3 - encodeNanos, t5 - t4);
    }

    /** The previous rules of the ports in {@code before} (null values: ports that are new). */
    private static NftablesRules previousOf(Map<ServicePortName, NftServiceRules> before) {
        TreeMap<ServicePortName, NftServiceRules> previous = new TreeMap<>();
        before.forEach((name, rules) -> {
            if (rules != null) {
                previous.put(name, rules);
            }
        });
        return new NftablesRules(List.of(), previous);
    }

    /** {@code snapshot} reduced to the Service ports in {@code names}. */
    private static ProxySnapshot restrict(ProxySnapshot snapshot, Set<ServicePortName> names) {
        if (names.isEmpty()) {
            return ProxySnapshot.EMPTY;
        }
        Map<ServicePortName, ServicePortInfo> ports = new HashMap<>();
        Map<ServicePortName, List<EndpointInfo>> endpoints = new HashMap<>();
        for (ServicePortName name : names) {
            snapshot.services().get(name).ifPresent(info -> ports.put(name, info));
            List<EndpointInfo> eps = snapshot.endpoints().get(name);
            if (!eps.isEmpty()) {
                endpoints.put(name, eps);
            }
        }
        return new ProxySnapshot(ServicePortMap.of(ports), EndpointsMap.of(endpoints));
    }

    /**
     * How many Service ports the last sync looked at: those the snapshot named as changed since the
     * last applied one ({@link ProxySnapshot#changedSince}), else all of them.
     */
    public synchronized int lastSyncPortsExamined() {
        return lastRendered;
    }

    /**
     * {@link #render}'s work for one port the snapshot names as changed: re-renders it unless its
     * Service and endpoints equal the cached ones, or forgets it when it is gone. O(log n).
     */
    private void renderPort(ProxySnapshot snapshot, NodeInfo node, ServicePortName name,
            Map<ServicePortName, NftServiceRules> before, Set<ServicePortName> touched) {
        ServicePortInfo svc = snapshot.services().ports().get(name);
        Cached hit = cache.get(name);
        if (svc == null) {
            if (hit != null) {
                cache.remove(name);
                rendered.remove(name);
                before.put(name, hit.rules());
                touched.add(name);
            }
            return;
        }
        List<EndpointInfo> endpoints = snapshot.endpoints().get(name);
        if (hit != null && hit.svc().equals(svc) && hit.endpoints().equals(endpoints)) {
            return;
        }
        touched.add(name);
        NftServiceRules rules = NftablesRenderer.renderService(name, svc, endpoints, config, node);
        cache.put(name, new Cached(svc, endpoints, rules));
        if (hit == null || !hit.rules().equals(rules)) {
            rendered.put(name, rules);
            before.put(name, hit == null ? null : hit.rules());
        }
    }

    /** Where the last sync's time went ({@link NftSyncTimings}); null before the first successful sync. */
    public synchronized NftSyncTimings lastTimings() {
        return lastTimings;
    }

    /**
     * The {@code nft -f} input of the last successful sync (empty when nothing changed); for a sync
     * applied through netlink, the equivalent {@code nft -f} text of the batch. A full transaction
     * is decoded from the kept text buffers on each call; after a full sync that failed, it is the
     * text of that failed attempt.
     */
    public synchronized String lastTransaction() {
        return lastOps != null ? NftOp.text(lastOps) : buffers.lastText();
    }

    /** The state applied by the last successful sync (a copy; undefined after a failed sync). */
    public synchronized NftablesRules applied() {
        return new NftablesRules(base, new TreeMap<>(rendered));
    }

    /** Number of full syncs so far. */
    public synchronized long fullSyncs() {
        return fullSyncs;
    }

    /** Number of incremental syncs applied through the netlink fast path so far. */
    public synchronized long netlinkSyncs() {
        return netlinkSyncs;
    }

    /**
     * Wall time of the last successful sync's apply step, in nanoseconds: encoding and sending the
     * netlink batch until every ack arrived, or running {@code nft -f}; near 0 when nothing changed.
     */
    public synchronized long lastApplyNanos() {
        return lastApplyNanos;
    }

    /** Number of intact-table checks answered through netlink (the others ran {@code nft list chain}). */
    public synchronized long netlinkTableChecks() {
        return intactCheck.netlinkChecks();
    }

    /** Number of netlink batches that failed (each followed by a full {@code nft -f} sync). */
    public synchronized long netlinkFailures() {
        return netlinkFailures;
    }

    /** Number of incremental syncs so far. */
    public synchronized long partialSyncs() {
        return partialSyncs;
    }

    /** Deletes the {@code ip kube-proxy} table (upstream {@code CleanupLeftovers}); a missing table is not an error. */
    public synchronized void cleanup() {
        runner.run(argv("nft", "-f", "-"), "add table ip kube-proxy\ndelete table ip kube-proxy\n", CommandRunner.DEFAULT_TIMEOUT);
        needFullSync = true;
        appliedSnapshot = ProxySnapshot.EMPTY;
    }

    /**
     * Re-renders the Service ports whose Service or endpoints changed since the last render (the
     * cached rules of the others are reused), updating {@link #rendered} in place. Every re-rendered
     * or removed port goes into {@code touched}; those whose rules changed also go into
     * {@code before} with their previous rules (null for a new port). Linear in the number of ports
     * (hash lookups and identity-equal lists; ports and endpoints are walked together in their
     * common sort order), plus O(log n) per changed port.
     */
    private void render(ProxySnapshot snapshot, NodeInfo node, Map<ServicePortName, NftServiceRules> before,
            Set<ServicePortName> touched) {
        SortedMap<ServicePortName, ServicePortInfo> ports = snapshot.services().ports();
        Iterator<Map.Entry<ServicePortName, List<EndpointInfo>>> eps = snapshot.endpoints().endpoints().entrySet().iterator();
        Map.Entry<ServicePortName, List<EndpointInfo>> ep = eps.hasNext() ? eps.next() : null;
        int cachedBefore = cache.size();
        int hits = 0;
        for (Map.Entry<ServicePortName, ServicePortInfo> e : ports.entrySet()) {
            ServicePortName name = e.getKey();
            while (ep != null && ep.getKey().compareTo(name) < 0) {
                ep = eps.hasNext() ? eps.next() : null;
            }
            List<EndpointInfo> endpoints = ep != null && ep.getKey().equals(name) ? ep.getValue() : List.of();
            Cached hit = cache.get(name);
            if (hit != null) {
                hits++;
                if (hit.svc().equals(e.getValue()) && hit.endpoints().equals(endpoints)) {
                    continue;
                }
            }
            touched.add(name);
            NftServiceRules rules = NftablesRenderer.renderService(name, e.getValue(), endpoints, config, node);
            cache.put(name, new Cached(e.getValue(), endpoints, rules));
            if (hit == null || !hit.rules().equals(rules)) {
                rendered.put(name, rules);
                before.put(name, hit == null ? null : hit.rules());
            }
        }
        if (hits < cachedBefore) {
            for (Iterator<Map.Entry<ServicePortName, Cached>> it = cache.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<ServicePortName, Cached> entry = it.next();
                if (!ports.containsKey(entry.getKey())) {
                    it.remove();
                    rendered.remove(entry.getKey());
                    before.put(entry.getKey(), entry.getValue().rules());
                    touched.add(entry.getKey());
                }
            }
        }
    }

    private List<String> argv(String... command) {
        List<String> out = new ArrayList<>(argvPrefix);
        out.addAll(List.of(command));
        return out;
    }
}
