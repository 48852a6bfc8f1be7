package dev.junction.proxy.iptables;

import static java.util.Objects.requireNonNull;

import dev.junction.common.CommandResult;
import dev.junction.common.CommandRunner;
import dev.junction.proxy.NodeInfo;
import dev.junction.proxy.Proxier;
import dev.junction.proxy.ProxyConfig;
import dev.junction.proxy.ProxySnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube-proxy's iptables mode applied to a node (upstream {@code Proxier.syncProxyRules}, kubernetes
 * pkg/proxy/iptables/proxier.go). Each sync:
 * <ol>
 *   <li>on the first sync and after a failure ("full sync"): creates kube-proxy's chains and
 *       inserts the {@link IptablesJumpRule#ALL jump rules} at the top of the built-in chains,
 *       each only when {@code iptables -C} says it is missing (idempotent);</li>
 *   <li>lists the nat table's chains ({@code iptables-save -t nat}) to find {@code KUBE-SVC/SEP/EXT/FW/SVL}
 *       chains it no longer renders;</li>
 *   <li>runs ONE {@code iptables-restore -w 5 --noflush --counters} with the
 *       {@link IptablesRenderer} output on stdin, deleting the stale chains in the same transaction.</li>
 * </ol>
 * Every command goes through the injected {@link CommandRunner}, prefixed with {@code argvPrefix}
 * (empty in production; {@code ip netns exec NS} in tests). Nothing outside netfilter is touched.
 */
public final class IptablesProxier implements Proxier {
    private static final Logger LOG = LoggerFactory.getLogger(IptablesProxier.class);

    private final CommandRunner runner;
    private final List<String> argvPrefix;
    private final IptablesBackend backend;
    private final ProxyConfig config;
    private boolean needFullSync = true;
    private String lastRestoreInput = "";

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
        boolean fullSync = needFullSync;
        needFullSync = true;
        if (fullSync) {
            ensureJumpRules();
        }
        IptablesRules rules = IptablesRenderer.render(snapshot, config, node);
        Set<String> stale = new TreeSet<>(existingNatServiceChains());
        stale.removeAll(rules.activeServiceChains());
        String input = rules.restoreInput(stale);
        CommandResult result = runner.run(argv(backend.restore(), "-w", "5", "--noflush", "--counters"), input,
                CommandRunner.DEFAULT_TIMEOUT);
        if (!result.ok()) {
            LOG.warn("iptables-restore failed: {}", result.stderr().strip());
        }
        result.orThrow();
        lastRestoreInput = input;
        needFullSync = false;
        LOG.debug("synced {} service ports, deleted {} stale chains", snapshot.services().ports().size(), stale.size());
    }

    /** The restore input of the last successful sync (for debugging and tests). */
    public synchronized String lastRestoreInput() {
        return lastRestoreInput;
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
        Set<String> natChains = new TreeSet<>(existingNatServiceChains());
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
        needFullSync = true;
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

    private Set<String> existingNatServiceChains() {
        CommandResult saved = runner.run(argv(backend.save(), "-t", "nat"), "", CommandRunner.DEFAULT_TIMEOUT);
        Set<String> chains = new TreeSet<>();
        if (!saved.ok()) {
            LOG.warn("iptables-save failed, stale chains will not be deleted: {}", saved.stderr().strip());
            return chains;
        }
        for (String line : saved.stdout().split("\n")) {
            if (line.startsWith(":")) {
                String chain = line.substring(1).split(" ", 2)[0];
                if (IptablesChains.isServiceChain(chain)) {
                    chains.add(chain);
                }
            }
        }
        return chains;
    }

    private List<String> argv(String... command) {
        List<String> out = new ArrayList<>(argvPrefix);
        out.addAll(List.of(command));
        return out;
    }
}
