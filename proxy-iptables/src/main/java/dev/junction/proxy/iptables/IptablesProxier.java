package dev.junction.proxy.iptables;

import static java.util.Objects.requireNonNull;

import dev.junction.common.CommandResult;
import dev.junction.common.CommandRunner;
import dev.junction.proxy.ConntrackCleaner;
import dev.junction.proxy.NamespacedName;
import dev.junction.proxy.NodeInfo;
import dev.junction.proxy.Proxier;
import dev.junction.proxy.ProxyConfig;
import dev.junction.proxy.ProxySnapshot;
import dev.junction.proxy.ServicePortInfo;
import dev.junction.proxy.ServicePortName;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-proxy's iptables mode applied to a node (upstream {@code Proxier.syncProxyRules}, kubernetes
 * pkg/proxy/iptables/proxier.go, v1.33). Each sync:
 * <ol>
 *   <li>checks the canary chain {@code KUBE-PROXY-CANARY} (upstream {@code utiliptables.Monitor},
 *       pkg/util/iptables/iptables.go): when it is gone from mangle or nat, someone flushed or
 *       deleted the tables and this sync becomes a full one;</li>
 *   <li>on a full sync (the first one, after a failure, after the canary vanished, when the Node
 *       changed): creates kube-proxy's chains and the canaries and inserts the
 *       {@link IptablesJumpRule#ALL jump rules} at the top of the built-in chains, each only when
 *       {@code iptables -C} says it is missing;</li>
 *   <li>renders: fully, or partially (upstream's partial sync) with only the per-service chains of
 *       Services whose ports or endpoints differ from the last applied snapshot, into text buffers
 *       kept from sync to sync ({@link IptablesRenderBuffers}, upstream's reused {@code LineBuffer}s);</li>
 *   <li>lists the nat table ({@code iptables-save -t nat}) — a missing {@code PREROUTING} jump to
 *       {@code KUBE-SERVICES} (a hand flush) also makes the sync a full one — to find {@code KUBE-SVC/SEP/EXT/FW/SVL}
 *       chains no longer in use and runs ONE {@code iptables-restore -w 5 --noflush --counters},
 *       deleting those stale chains in the same transaction;</li>
 *   <li>deletes stale UDP conntrack entries ({@link ConntrackCleaner}).</li>
 * </ol>
 * Every command goes through the injected {@link CommandRunner}, prefixed with {@code argvPrefix}
 * (empty in production; {@code ip netns exec NS} in tests). Nothing outside netfilter is touched.
 */
public final class IptablesProxier implements Proxier {
    private static final Logger LOG = LoggerFactory.getLogger(IptablesProxier.class);
    /** Upstream's canary chain name. */
    public static final String CANARY = "KUBE-PROXY-CANARY";
    /** Time limit of one {@code iptables-restore} or {@code iptables-save}: large rulesets take long on a busy host. */
    public static final java.time.Duration APPLY_TIMEOUT = java.time.Duration.ofMinutes(5);
    private static final List<String> CANARY_TABLES = List.of("mangle", "nat", "filter");

    private final CommandRunner runner;
    private final List<String> argvPrefix;
    private final IptablesBackend backend;
    private final ProxyConfig config;
    /** The render's text memory, reused from sync to sync (upstream's reused {@code LineBuffer}s). */
    private final IptablesRenderBuffers buffers = new IptablesRenderBuffers();
    private boolean needFullSync = true;
    private byte[] lastRestoreInput = new byte[0];
    private ProxySnapshot applied = ProxySnapshot.EMPTY;
    private NodeInfo appliedNode;
    private long fullSyncs;
    private long partialSyncs;

    /**
     * @param runner     executes iptables commands
     * @param argvPrefix prepended to every command (e.g. {@code ip netns exec jnt-x}); empty for none
     * @param backend    which binaries to run
     * @param config     masquerade bit, clusterCIDR, …
     */
    public IptablesProxier(CommandRunner runner, List<String> argvPrefix, IptablesBackend backend, ProxyConfig config) {
        this.runner = requireNonNull(runner, "runner");
        this.argvPrefix = List.copyOf(argvPrefix);
        this.backend = requireNonNull(backend, "backend");
        this.config = requireNonNull(config, "config");
    }

    /**
     * @throws dev.junction.common.CommandFailedException when a chain, jump rule or the restore fails;
     *                                                    the next sync is then a full one
     */
    @Override
    public synchronized void sync(ProxySnapshot snapshot, NodeInfo node) {
        CommandResult nat = runner.run(argv(backend.save(), "-t", "nat"), "", APPLY_TIMEOUT);
        boolean fullSync = needFullSync || !node.equals(appliedNode) || !canaryPresent() || jumpsFlushed(nat);
        needFullSync = true;
        if (fullSync) {
            ensureJumpRules();
            ensureCanaries();
        }
        ProxySnapshot previous = applied;
        // the change trackers' own account when the snapshot was built from the one applied last (O(changes)),
        // else (a failed sync in between) a comparison of every port
        Set<NamespacedName> changed = fullSync ? Set.of() : snapshot.changedSince(previous)
                .map(ports -> ports.stream().map(ServicePortName::service).collect(Collectors.toSet()))
                .orElseGet(() -> changedServices(previous, snapshot));
        IptablesRules rules = IptablesRenderer.render(snapshot, config, node,
                fullSync ? name -> true : changed::contains, buffers);
        Set<String> active = rules.activeChains();
        Set<String> stale = new TreeSet<>();
        for (String chain : existingNatServiceChains(nat)) {
            if (!active.contains(chain)) {
                stale.add(chain);
            }
        }
        // The rendered bytes go to iptables-restore as they are (no ~31 MB String at 10k Services).
        byte[] input = rules.restoreInputBytes(stale);
        CommandResult result = runner.run(argv(backend.restore(), "-w", "5", "--noflush", "--counters"), input,
                APPLY_TIMEOUT);
        if (!result.ok()) {
            LOG.warn("iptables-restore failed: {}", result.stderr().strip());
        }
        result.orThrow();
        lastRestoreInput = input;
        applied = snapshot;
        appliedNode = node;
        needFullSync = false;
        if (fullSync) {
            fullSyncs++;
        } else {
            partialSyncs++;
        }
        ConntrackCleaner.run(runner, argvPrefix, ConntrackCleaner.commands(previous, snapshot));
        LOG.debug("synced {} service ports ({}), deleted {} stale chains", snapshot.services().ports().size(),
                fullSync ? "full" : "partial, " + changed.size() + " changed", stale.size());
    }

    /** Number of full syncs so far (first sync, after failures, after the canary vanished). */
    public synchronized long fullSyncs() {
        return fullSyncs;
    }

    /** Number of partial syncs so far. */
    public synchronized long partialSyncs() {
        return partialSyncs;
    }

    /**
     * The Services whose ports or endpoints differ between two snapshots (upstream's
     * {@code UpdatedServices} of the service and endpoints change trackers).
     */
    public static Set<NamespacedName> changedServices(ProxySnapshot previous, ProxySnapshot current) {
        Set<NamespacedName> out = new HashSet<>();
        diff(previous, current, out);
        diff(current, previous, out);
        return out;
    }

    private static void diff(ProxySnapshot a, ProxySnapshot b, Set<NamespacedName> out) {
        for (Map.Entry<ServicePortName, ServicePortInfo> e : a.services().ports().entrySet()) {
            ServicePortName name = e.getKey();
            if (out.contains(name.service())) {
                continue;
            }
            if (!e.getValue().equals(b.services().ports().get(name))
                    || !a.endpoints().get(name).equals(b.endpoints().get(name))) {
                out.add(name.service());
            }
        }
    }

    /** The restore input of the last successful sync (for debugging and tests), decoded on each call. */
    public synchronized String lastRestoreInput() {
        return new String(lastRestoreInput, StandardCharsets.UTF_8);
    }

    /**
     * Removes the jump rules and flushes and deletes every chain this proxier creates, like upstream
     * {@code CleanupLeftovers}; missing rules and chains are not errors.
     */
    public synchronized void cleanup() {
        for (IptablesJumpRule jump : IptablesJumpRule.ALL) {
            List<String> args = new ArrayList<>(List.of(backend.iptables(), "-w", "5", "-t", jump.table(), "-D", jump.fromChain()));
            args.addAll(jump.ruleArgs());
            runner.run(argv(args.toArray(String[]::new)), "", CommandRunner.DEFAULT_TIMEOUT);
        }
        StringBuilder nat = new StringBuilder("*nat\n");
        StringBuilder natDeletes = new StringBuilder();
        Set<String> natChains = new TreeSet<>(existingNatServiceChains(runner.run(argv(backend.save(), "-t", "nat"), "", APPLY_TIMEOUT)));
        natChains.addAll(List.of(IptablesChains.KUBE_SERVICES, IptablesChains.KUBE_NODEPORTS,
                IptablesChains.KUBE_POSTROUTING, IptablesChains.KUBE_MARK_MASQ));
        for (String chain : natChains) {
            nat.append(':').append(chain).append(" - [0:0]\n");
            natDeletes.append("-X ").append(chain).append('\n');
        }
        StringBuilder filter = new StringBuilder("*filter\n");
        StringBuilder filterDeletes = new StringBuilder();
        for (String chain : List.of(IptablesChains.KUBE_SERVICES, IptablesChains.KUBE_EXTERNAL_SERVICES,
                IptablesChains.KUBE_FORWARD, IptablesChains.KUBE_NODEPORTS, IptablesChains.KUBE_PROXY_FIREWALL)) {
            filter.append(':').append(chain).append(" - [0:0]\n");
            filterDeletes.append("-X ").append(chain).append('\n');
        }
        String input = filter + filterDeletes.toString() + "COMMIT\n" + nat + natDeletes + "COMMIT\n";
        runner.run(argv(backend.restore(), "-w", "5", "--noflush"), input, CommandRunner.DEFAULT_TIMEOUT);
        for (String table : CANARY_TABLES) {
            runner.run(argv(backend.iptables(), "-w", "5", "-t", table, "-X", CANARY), "", CommandRunner.DEFAULT_TIMEOUT);
        }
        needFullSync = true;
        applied = ProxySnapshot.EMPTY;
    }

    private boolean canaryPresent() {
        return runner.run(argv(backend.iptables(), "-w", "5", "-t", "mangle", "-S", CANARY), "",
                CommandRunner.DEFAULT_TIMEOUT).ok();
    }

    private void ensureCanaries() {
        for (String table : CANARY_TABLES) {
            // -N fails when the chain exists, which is fine.
            runner.run(argv(backend.iptables(), "-w", "5", "-t", table, "-N", CANARY), "", CommandRunner.DEFAULT_TIMEOUT);
        }
    }

    private void ensureJumpRules() {
        for (IptablesJumpRule jump : IptablesJumpRule.ALL) {
            // -N fails with "Chain already exists" when it does; -C below tells whether we are done.
            runner.run(argv(backend.iptables(), "-w", "5", "-t", jump.table(), "-N", jump.toChain()),
                    "", CommandRunner.DEFAULT_TIMEOUT);
            List<String> check = new ArrayList<>(List.of(backend.iptables(), "-w", "5", "-t", jump.table(), "-C", jump.fromChain()));
            check.addAll(jump.ruleArgs());
            if (runner.run(argv(check.toArray(String[]::new)), "", CommandRunner.DEFAULT_TIMEOUT).ok()) {
                continue;
            }
            List<String> insert = new ArrayList<>(List.of(backend.iptables(), "-w", "5", "-t", jump.table(), "-I", jump.fromChain()));
            insert.addAll(jump.ruleArgs());
            runner.run(argv(insert.toArray(String[]::new)), "", CommandRunner.DEFAULT_TIMEOUT).orThrow();
        }
    }

    /**
     * True when the nat table was flushed by hand ({@code iptables -t nat -F}): the canary chain
     * survives a flush (only its rules go), so upstream's canary alone would not notice until its
     * hourly full sync; the missing {@code PREROUTING → KUBE-SERVICES} jump tells at the next
     * periodic sync (syncPeriod), so the rules are repaired within syncPeriod.
     */
    private boolean jumpsFlushed(CommandResult nat) {
        if (!nat.ok() || applied == ProxySnapshot.EMPTY) {
            return false;
        }
        String text = nat.stdout();
        // Line by line without splitting: the nat table of 10,000 Services is ~30 MB of text.
        for (int at = 0, end; at < text.length(); at = end + 1) {
            end = lineEnd(text, at);
            if (text.startsWith("-A PREROUTING ", at) && text.substring(at, end).contains("-j KUBE-SERVICES")) {
                return false;
            }
        }
        LOG.info("nat table lost the KUBE-SERVICES jump (flushed by hand?): full resync");
        return true;
    }

    private Set<String> existingNatServiceChains(CommandResult saved) {
        Set<String> chains = new TreeSet<>();
        if (!saved.ok()) {
            LOG.warn("iptables-save failed, stale chains will not be deleted: {}", saved.stderr().strip());
            return chains;
        }
        String text = saved.stdout();
        for (int at = 0, end; at < text.length(); at = end + 1) {
            end = lineEnd(text, at);
            if (text.startsWith(":KUBE-", at)) {
                int space = text.indexOf(' ', at);
                String chain = text.substring(at + 1, space < 0 || space > end ? end : space);
                if (IptablesChains.isServiceChain(chain)) {
                    chains.add(chain);
                }
            }
        }
        return chains;
    }

    /** Index of the newline ending the line that starts at {@code at}, or the text's length. */
    private static int lineEnd(String text, int at) {
        int end = text.indexOf('\n', at);
        return end < 0 ? text.length() : end;
    }

    private List<String> argv(String... command) {
        List<String> out = new ArrayList<>(argvPrefix);
        out.addAll(List.of(command));
        return out;
    }
}
