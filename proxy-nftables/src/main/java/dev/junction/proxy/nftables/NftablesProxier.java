package dev.junction.proxy.nftables;

import static java.util.Objects.requireNonNull;

import dev.junction.common.CommandResult;
import dev.junction.common.CommandRunner;
import dev.junction.proxy.ConntrackCleaner;
import dev.junction.proxy.EndpointInfo;
import dev.junction.proxy.NodeInfo;
import dev.junction.proxy.Proxier;
import dev.junction.proxy.ProxyConfig;
import dev.junction.proxy.ProxySnapshot;
import dev.junction.proxy.ServicePortInfo;
import dev.junction.proxy.ServicePortName;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 *       changed. Per-port rendering is cached, so a sync re-renders only changed ports.</li>
 * </ul>
 * When a sync has nothing to change, the proxier checks that {@code mark-for-masquerade} still
 * holds its rule ({@code nft list chain}); if not (someone ran {@code nft flush ruleset} or flushed
 * the table), the next transaction is a full one. Stale UDP conntrack entries are deleted after each
 * sync ({@link ConntrackCleaner}). Every command goes through the injected {@link CommandRunner},
 * prefixed with {@code argvPrefix}.
 */
public final class NftablesProxier implements Proxier {
    private static final Logger LOG = LoggerFactory.getLogger(NftablesProxier.class);
    /** Time limit of one {@code nft -f}: a full sync of 10,000 Services can take a minute on a busy host. */
    public static final java.time.Duration APPLY_TIMEOUT = java.time.Duration.ofMinutes(5);

    private final CommandRunner runner;
    private final List<String> argvPrefix;
    private final ProxyConfig config;
    private final List<String> serviceCIDRs;
    private final Map<ServicePortName, Cached> cache = new HashMap<>();
    private boolean needFullSync = true;
    private NodeInfo appliedNode;
    private NftablesRules applied;
    private ProxySnapshot appliedSnapshot = ProxySnapshot.EMPTY;
    private List<String> base = List.of();
    private String lastTransaction = "";
    private long fullSyncs;
    private long partialSyncs;

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
    }

    /**
     * @throws dev.junction.common.CommandFailedException when {@code nft -f} fails; the next sync is then a full one
     */
    @Override
    public synchronized void sync(ProxySnapshot snapshot, NodeInfo node) {
        requireNonNull(snapshot, "snapshot");
        requireNonNull(node, "node");
        boolean full = needFullSync || !node.equals(appliedNode);
        needFullSync = true;
        if (full) {
            cache.clear();
            base = NftablesRenderer.baseLines(config, node, serviceCIDRs);
        }
        NftablesRules rules = render(snapshot, node);
        String tx = full ? rules.fullTransaction() : rules.incrementalTransaction(applied);
        if (!full && tx.isEmpty() && !tablePresent()) {
            LOG.info("nftables table kube-proxy was flushed or deleted; replacing it");
            full = true;
            tx = rules.fullTransaction();
        }
        if (!tx.isEmpty()) {
            CommandResult result = runner.run(argv("nft", "-f", "-"), tx, APPLY_TIMEOUT);
            if (!result.ok()) {
                LOG.warn("nft -f failed: {}", result.stderr().strip());
            }
            result.orThrow();
        }
        lastTransaction = tx;
        ProxySnapshot previous = appliedSnapshot;
        applied = rules;
        appliedSnapshot = snapshot;
        appliedNode = node;
        needFullSync = false;
        if (full) {
            fullSyncs++;
        } else {
            partialSyncs++;
        }
        ConntrackCleaner.run(runner, argvPrefix, ConntrackCleaner.commands(previous, snapshot));
    }

    /** The {@code nft -f} input of the last successful sync (empty when nothing changed). */
    public synchronized String lastTransaction() {
        return lastTransaction;
    }

    /** The state applied by the last successful sync. */
    public synchronized NftablesRules applied() {
        return applied;
    }

    /** Number of full syncs so far. */
    public synchronized long fullSyncs() {
        return fullSyncs;
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

    private NftablesRules render(ProxySnapshot snapshot, NodeInfo node) {
        TreeMap<ServicePortName, NftServiceRules> services = new TreeMap<>();
        Map<ServicePortName, Cached> next = new HashMap<>();
        for (Map.Entry<ServicePortName, ServicePortInfo> e : snapshot.services().ports().entrySet()) {
            List<EndpointInfo> endpoints = snapshot.endpoints().get(e.getKey());
            Cached hit = cache.get(e.getKey());
            if (hit == null || !hit.svc().equals(e.getValue()) || !hit.endpoints().equals(endpoints)) {
                hit = new Cached(e.getValue(), endpoints,
                        NftablesRenderer.renderService(e.getKey(), e.getValue(), endpoints, config, node));
            }
            next.put(e.getKey(), hit);
            services.put(e.getKey(), hit.rules());
        }
        cache.clear();
        cache.putAll(next);
        return new NftablesRules(base, services);
    }

    private boolean tablePresent() {
        CommandResult result = runner.run(argv("nft", "list", "chain", "ip", NftablesChains.TABLE, "mark-for-masquerade"),
                "", CommandRunner.DEFAULT_TIMEOUT);
        return result.ok() && result.stdout().contains("mark set mark or");
    }

    private List<String> argv(String... command) {
        List<String> out = new ArrayList<>(argvPrefix);
        out.addAll(List.of(command));
        return out;
    }
}
