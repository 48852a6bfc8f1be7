package dev.junction.proxy.iptables;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * A rule kube-proxy installs in a built-in chain to reach one of its own chains, outside
 * {@code iptables-restore} so that other software's rules in those chains are left alone
 * (upstream {@code iptablesJumpChains}, kubernetes pkg/proxy/iptables/proxier.go).
 *
 * @param table     {@code filter} or {@code nat}
 * @param fromChain built-in chain, e.g. {@code PREROUTING}
 * @param toChain   kube-proxy chain, e.g. {@code KUBE-SERVICES}
 * @param comment   the rule's {@code -m comment} text
 * @param extraArgs matches before the comment, e.g. {@code -m conntrack --ctstate NEW}
 */
public record IptablesJumpRule(String table, String fromChain, String toChain, String comment, List<String> extraArgs) {
    private static final List<String> NEW = List.of("-m", "conntrack", "--ctstate", "NEW");

    /** The jumps of upstream v1.33, in its order. */
    public static final List<IptablesJumpRule> ALL = List.of(
            new IptablesJumpRule("filter", "INPUT", IptablesChains.KUBE_EXTERNAL_SERVICES, "kubernetes externally-visible service portals", NEW),
            new IptablesJumpRule("filter", "FORWARD", IptablesChains.KUBE_EXTERNAL_SERVICES, "kubernetes externally-visible service portals", NEW),
            new IptablesJumpRule("filter", "INPUT", IptablesChains.KUBE_NODEPORTS, "kubernetes health check service ports", List.of()),
            new IptablesJumpRule("filter", "FORWARD", IptablesChains.KUBE_SERVICES, "kubernetes service portals", NEW),
            new IptablesJumpRule("filter", "OUTPUT", IptablesChains.KUBE_SERVICES, "kubernetes service portals", NEW),
            new IptablesJumpRule("filter", "FORWARD", IptablesChains.KUBE_FORWARD, "kubernetes forwarding rules", List.of()),
            new IptablesJumpRule("filter", "INPUT", IptablesChains.KUBE_PROXY_FIREWALL, "kubernetes load balancer firewall", NEW),
            new IptablesJumpRule("filter", "OUTPUT", IptablesChains.KUBE_PROXY_FIREWALL, "kubernetes load balancer firewall", NEW),
            new IptablesJumpRule("filter", "FORWARD", IptablesChains.KUBE_PROXY_FIREWALL, "kubernetes load balancer firewall", NEW),
            new IptablesJumpRule("nat", "OUTPUT", IptablesChains.KUBE_SERVICES, "kubernetes service portals", List.of()),
            new IptablesJumpRule("nat", "PREROUTING", IptablesChains.KUBE_SERVICES, "kubernetes service portals", List.of()),
            new IptablesJumpRule("nat", "POSTROUTING", IptablesChains.KUBE_POSTROUTING, "kubernetes postrouting rules", List.of()));

    public IptablesJumpRule {
        requireNonNull(table, "table");
        requireNonNull(fromChain, "fromChain");
        requireNonNull(toChain, "toChain");
        requireNonNull(comment, "comment");
        extraArgs = List.copyOf(extraArgs);
    }

    /** The rule's match and target: {@code [extraArgs] -m comment --comment TEXT -j TO}. */
    public List<String> ruleArgs() {
        List<String> args = new ArrayList<>(extraArgs);
        args.addAll(List.of("-m", "comment", "--comment", comment, "-j", toChain));
        return args;
    }
}
