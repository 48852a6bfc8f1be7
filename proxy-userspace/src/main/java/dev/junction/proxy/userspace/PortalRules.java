package dev.junction.proxy.userspace;

import static java.util.Objects.requireNonNull;

import dev.junction.proxy.ServicePortInfo;
import dev.junction.proxy.ServicePortName;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The iptables rules that steer Service traffic into the userspace proxy's listeners, as upstream
 * userspace mode wrote them (kubernetes v1.25 pkg/proxy/userspace/proxier.go
 * {@code iptablesContainerPortalArgs}, {@code iptablesHostPortalArgs}, {@code iptablesContainerNodePortArgs},
 * {@code iptablesHostNodePortArgs}): nat {@code KUBE-PORTALS-CONTAINER} (from PREROUTING) and
 * {@code KUBE-PORTALS-HOST} (from OUTPUT) {@code REDIRECT} each ClusterIP, external IP and
 * load-balancer IP port to the listener's port; {@code KUBE-NODEPORT-CONTAINER} /
 * {@code KUBE-NODEPORT-HOST} do the same for NodePorts on local addresses. A Service port without
 * endpoints gets no redirect but a {@code REJECT} in filter {@code KUBE-PORTALS-REJECT} (a Junction
 * addition, so that such connections are refused at once as in the other modes). Host traffic is
 * REDIRECTed too (to 127.0.0.1) where upstream DNATed it to the listen address.
 *
 * <p>Junction addition for scale: each of the five chains holds only {@value #BUCKETS} jumps to
 * bucket chains ({@code KUBE-PORTALS-CONTAINER-00} … {@code -3F}); a port's rules live in the
 * bucket chain its name hashes to ({@link #bucket}), so a change to one port rewrites one bucket
 * chain of ~1/64 of the rules ({@link #buckets}) instead of deleting a rule by its spec, which makes
 * {@code iptables-nft-restore} fetch and compare the whole 10,000-rule chain (1.6-3 s measured at
 * 10,000 Services; a 150-rule bucket rewrite: 22 ms). Packets see the same rules in the same
 * linear order of cost. Pure.
 */
public final class PortalRules {
    /** nat chains and filter chain this mode owns. */
    public static final List<String> NAT_CHAINS = List.of("KUBE-PORTALS-CONTAINER", "KUBE-PORTALS-HOST",
            "KUBE-NODEPORT-CONTAINER", "KUBE-NODEPORT-HOST");
    /** The filter chain with REJECTs for ports without endpoints. */
    public static final String REJECT_CHAIN = "KUBE-PORTALS-REJECT";

    /** Number of bucket chains under each of the five chains. */
    public static final int BUCKETS = 64;

    /** Jump rules: table, built-in chain, rule arguments (the last one is the jump's target chain). */
    public static final List<List<String>> JUMPS = List.of(
            List.of("nat", "PREROUTING", "-m", "comment", "--comment", "handle ClusterIPs; NOTE: this must be before the NodePort rules", "-j", "KUBE-PORTALS-CONTAINER"),
            List.of("nat", "OUTPUT", "-m", "comment", "--comment", "handle ClusterIPs; NOTE: this must be before the NodePort rules", "-j", "KUBE-PORTALS-HOST"),
            List.of("nat", "PREROUTING", "-m", "addrtype", "--dst-type", "LOCAL", "-m", "comment", "--comment", "handle service NodePorts; NOTE: this must be the last rule in the chain", "-j", "KUBE-NODEPORT-CONTAINER"),
            List.of("nat", "OUTPUT", "-m", "addrtype", "--dst-type", "LOCAL", "-m", "comment", "--comment", "handle service NodePorts; NOTE: this must be the last rule in the chain", "-j", "KUBE-NODEPORT-HOST"),
            List.of("filter", "INPUT", "-m", "conntrack", "--ctstate", "NEW", "-j", REJECT_CHAIN),
            List.of("filter", "FORWARD", "-m", "conntrack", "--ctstate", "NEW", "-j", REJECT_CHAIN),
            List.of("filter", "OUTPUT", "-m", "conntrack", "--ctstate", "NEW", "-j", REJECT_CHAIN));

    private PortalRules() {
    }

    /**
     * The rules of one Service port: its nat {@code REDIRECT}s, or, without endpoints, its filter
     * {@code REJECT}s, each line as in {@code iptables-restore} input ({@code -A CHAIN-BB …}, no
     * newline; duplicates dropped), all in the bucket chains of {@code bucket}.
     *
     * @param bucket the port's bucket, 0 ≤ bucket < {@link #BUCKETS}
     * @param nat    lines for the nat table
     * @param filter lines for the filter table
     */
    public record PortRules(int bucket, List<String> nat, List<String> filter) {
        /** Copies both lists. */
        public PortRules {
            nat = List.copyOf(nat);
            filter = List.copyOf(filter);
        }
    }

    /**
     * The bucket of a port: a hash of its name and protocol that is the same in every JVM (so
     * that a restarted proxy finds the same layout).
     */
    public static int bucket(ServicePortName name) {
        requireNonNull(name, "name");
        return Math.floorMod((name.namespace() + "/" + name.name() + ":" + name.port() + "/" + name.protocol().name()).hashCode(),
                BUCKETS);
    }

    /** The bucket chain of {@code chain} (one of the five) for {@code bucket}: {@code CHAIN-0A}. */
    public static String bucketChain(String chain, int bucket) {
        return chain + "-" + String.format("%02X", bucket);
    }

    /**
     * The rules of one Service port.
     *
     * @param listener     the listener's port; empty: not proxied (rejected)
     * @param hasEndpoints whether the port has usable endpoints (else rejected)
     */
    public static PortRules of(ServicePortName name, ServicePortInfo svc, OptionalInt listener, boolean hasEndpoints) {
        requireNonNull(name, "name");
        requireNonNull(svc, "svc");
        int bucket = bucket(name);
        Set<String> nat = new LinkedHashSet<>();
        Set<String> filter = new LinkedHashSet<>();
        String proto = svc.protocol().lower();
        String comment = "-m comment --comment \"" + name + "\"";
        List<String> vips = new ArrayList<>();
        vips.add(svc.clusterIP());
        vips.addAll(svc.externalIPs());
        vips.addAll(svc.loadBalancerIPs());
        if (!hasEndpoints || listener.isEmpty()) {
            String reject = "-A " + bucketChain(REJECT_CHAIN, bucket) + " " + comment;
            for (String vip : vips) {
                filter.add(reject + " -p " + proto + " -m " + proto + " --dport " + svc.port() + " -d " + vip + "/32 -j REJECT");
            }
            if (svc.nodePort() != 0) {
                filter.add(reject + " -m addrtype --dst-type LOCAL -p " + proto + " -m " + proto + " --dport " + svc.nodePort()
                        + " -j REJECT");
            }
            return new PortRules(bucket, List.of(), List.copyOf(filter));
        }
        int to = listener.getAsInt();
        for (String chain : List.of("KUBE-PORTALS-CONTAINER", "KUBE-PORTALS-HOST")) {
            for (String vip : vips) {
                nat.add("-A " + bucketChain(chain, bucket) + " " + comment + " -p " + proto + " -m " + proto + " --dport "
                        + svc.port() + " -d " + vip + "/32 -j REDIRECT --to-ports " + to);
            }
        }
        if (svc.nodePort() != 0) {
            for (String chain : List.of("KUBE-NODEPORT-CONTAINER", "KUBE-NODEPORT-HOST")) {
                nat.add("-A " + bucketChain(chain, bucket) + " " + comment + " -p " + proto + " -m " + proto + " --dport "
                        + svc.nodePort() + " -j REDIRECT --to-ports " + to);
            }
        }
        return new PortRules(bucket, List.copyOf(nat), List.of());
    }

    /**
     * The {@code iptables-restore --noflush} input of every port: declares (and so flushes) the
     * five chains and every bucket chain, the jumps to the buckets, then all rules in the order of
     * the ports' names.
     *
     * @param ports         every proxied port with its listener port
     * @param withEndpoints the ports that have endpoints (others are rejected)
     */
    public static String render(Map<ServicePortName, ServicePortInfo> ports, Map<ServicePortName, Integer> listenerPorts,
            Set<ServicePortName> withEndpoints) {
        requireNonNull(ports, "ports");
        requireNonNull(listenerPorts, "listenerPorts");
        requireNonNull(withEndpoints, "withEndpoints");
        Map<ServicePortName, PortRules> rules = new TreeMap<>();
        ports.forEach((name, svc) -> {
            Integer listener = listenerPorts.get(name);
            rules.put(name, of(name, svc, listener == null ? OptionalInt.empty() : OptionalInt.of(listener),
                    withEndpoints.contains(name)));
        });
        return full(rules.values());
    }

    /**
     * The {@code iptables-restore --noflush} input that replaces the five chains' and their bucket
     * chains' contents with {@code rules} (a full sync: the chain declarations flush them first).
     */
    public static String full(Iterable<PortRules> rules) {
        requireNonNull(rules, "rules");
        StringBuilder out = new StringBuilder("*nat\n");
        NAT_CHAINS.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
        for (String chain : NAT_CHAINS) {
            for (int b = 0; b < BUCKETS; b++) {
                out.append(':').append(bucketChain(chain, b)).append(" - [0:0]\n");
            }
        }
        for (String chain : NAT_CHAINS) {
            for (int b = 0; b < BUCKETS; b++) {
                out.append("-A ").append(chain).append(" -j ").append(bucketChain(chain, b)).append('\n');
            }
        }
        rules.forEach(r -> r.nat().forEach(l -> out.append(l).append('\n')));
        out.append("COMMIT\n*filter\n:").append(REJECT_CHAIN).append(" - [0:0]\n");
        for (int b = 0; b < BUCKETS; b++) {
            out.append(':').append(bucketChain(REJECT_CHAIN, b)).append(" - [0:0]\n");
        }
        for (int b = 0; b < BUCKETS; b++) {
            out.append("-A ").append(REJECT_CHAIN).append(" -j ").append(bucketChain(REJECT_CHAIN, b)).append('\n');
        }
        rules.forEach(r -> r.filter().forEach(l -> out.append(l).append('\n')));
        return out.append("COMMIT\n").toString();
    }

    /**
     * The {@code iptables-restore --noflush} input that rewrites only some buckets (upstream's
     * partial sync, kubernetes pkg/proxy/iptables/proxier.go, applied to bucket chains): for each
     * bucket in {@code natBuckets} its four nat bucket chains are declared (flushed) and refilled
     * with the rules of {@code rules}' ports in that bucket; likewise {@code filterBuckets} for the
     * filter bucket chain. Nothing else is written; empty when both sets are.
     *
     * @param rules every port's rules, in the order the rules are to appear
     */
    public static String buckets(Iterable<PortRules> rules, Set<Integer> natBuckets, Set<Integer> filterBuckets) {
        requireNonNull(rules, "rules");
        requireNonNull(natBuckets, "natBuckets");
        requireNonNull(filterBuckets, "filterBuckets");
        StringBuilder out = new StringBuilder();
        if (!natBuckets.isEmpty()) {
            out.append("*nat\n");
            for (int b : new TreeSet<>(natBuckets)) {
                NAT_CHAINS.forEach(c -> out.append(':').append(bucketChain(c, b)).append(" - [0:0]\n"));
            }
            rules.forEach(r -> {
                if (natBuckets.contains(r.bucket())) {
                    r.nat().forEach(l -> out.append(l).append('\n'));
                }
            });
            out.append("COMMIT\n");
        }
        if (!filterBuckets.isEmpty()) {
            out.append("*filter\n");
            for (int b : new TreeSet<>(filterBuckets)) {
                out.append(':').append(bucketChain(REJECT_CHAIN, b)).append(" - [0:0]\n");
            }
            rules.forEach(r -> {
                if (filterBuckets.contains(r.bucket())) {
                    r.filter().forEach(l -> out.append(l).append('\n'));
                }
            });
            out.append("COMMIT\n");
        }
        return out.toString();
    }
}
