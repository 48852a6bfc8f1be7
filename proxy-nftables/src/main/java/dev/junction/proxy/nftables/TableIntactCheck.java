package dev.junction.proxy.nftables;

import static java.util.Objects.requireNonNull;

import dev.junction.common.CommandResult;
import dev.junction.common.CommandRunner;
import dev.junction.proxy.nftables.netlink.NetlinkException;
import dev.junction.proxy.nftables.netlink.NftBatchRunner;
import dev.junction.proxy.nftables.netlink.RuleDump;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether table {@code ip kube-proxy} is still the one we wrote: chain {@code mark-for-masquerade}
 * holds its {@code mark set mark or 0x4000} rule. Someone running {@code nft flush ruleset}, {@code nft
 * flush table}, or deleting the table or the chain makes it fail, and the proxier then replaces the
 * whole table (the role of upstream iptables mode's {@code KUBE-PROXY-CANARY} chain,
 * pkg/proxy/iptables/proxier.go).
 * <p>Through netlink, one {@code NFT_MSG_GETRULE} dump of that chain only ({@link NftBatchRunner#listRules}):
 * intact when a rule carries a {@code meta mark set} expression. Without netlink (or when it fails),
 * {@code nft list chain}: nft 1.0.6 first dumps the whole table's chains into its cache, ~1 s of CPU
 * at 10,000 Services, which is why netlink is preferred.
 */
final class TableIntactCheck {
    private static final Logger LOG = LoggerFactory.getLogger(TableIntactCheck.class);
    static final String CHAIN = "mark-for-masquerade";

    private final CommandRunner runner;
    private final List<String> argvPrefix;
    private long netlinkChecks;

    /**
     * @param runner     runs {@code nft list chain} when netlink is not used
     * @param argvPrefix prepended to the command (the node's namespace)
     */
    TableIntactCheck(CommandRunner runner, List<String> argvPrefix) {
        this.runner = requireNonNull(runner, "runner");
        this.argvPrefix = List.copyOf(argvPrefix);
    }

    /**
     * @param netlink the node's netlink runner when the fast path is enabled, else empty
     * @return whether the table and its masquerade-mark rule are present
     */
    boolean intact(Optional<NftBatchRunner> netlink) {
        if (netlink.isPresent()) {
            try {
                List<List<RuleDump.Expression>> rules = netlink.get().listRules(NftablesChains.TABLE, CHAIN);
                netlinkChecks++;
                return rules.stream().anyMatch(rule -> rule.stream().anyMatch(RuleDump.Expression::isMetaMarkSet));
            } catch (NetlinkException e) {
                LOG.warn("netlink rule dump of {} failed ({}); asking nft", CHAIN, e.getMessage());
            }
        }
        List<String> argv = new ArrayList<>(argvPrefix);
        argv.addAll(List.of("nft", "list", "chain", "ip", NftablesChains.TABLE, CHAIN));
        CommandResult result = runner.run(argv, "", CommandRunner.DEFAULT_TIMEOUT);
        // nft 1.0.x lists the rule as "meta mark set meta mark | 0x00004000", newer ones as
        // "mark set mark or 0x4000": either way an intact chain has its one "mark set" rule
        return result.ok() && result.stdout().contains("mark set");
    }

    /** Number of checks answered through netlink so far. */
    long netlinkChecks() {
        return netlinkChecks;
    }
}
