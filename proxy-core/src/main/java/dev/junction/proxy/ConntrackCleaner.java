package dev.junction.proxy;

import static java.util.Objects.requireNonNull;

import dev.junction.common.CommandResult;
import dev.junction.common.CommandRunner;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes UDP conntrack entries that would keep sending datagrams to the wrong place after a sync,
 * as kube-proxy does after each successful sync (kubernetes pkg/proxy/conntrack/cleanup.go
 * {@code CleanStaleEntries}, v1.33; the {@code conntrack -D} argument shapes of the earlier exec
 * implementation, pkg/util/conntrack/conntrack.go):
 * <ul>
 *   <li>an endpoint that served a UDP port and no longer does:
 *       {@code conntrack -D --orig-dst VIP --dst-nat EP -p udp} for the ClusterIP, each external IP
 *       and each load-balancer IP, and {@code conntrack -D -p udp --dport NODEPORT --dst-nat EP};</li>
 *   <li>a UDP port that had no endpoints and now has some (its flows were rejected and are cached):
 *       {@code conntrack -D --orig-dst VIP -p udp} per VIP and {@code conntrack -D -p udp --dport NODEPORT}.</li>
 * </ul>
 * {@link #commands} is pure; {@link #run} executes them and ignores exit code 1, which
 * {@code conntrack} returns when nothing matched.
 */
public final class ConntrackCleaner {
    private static final Logger LOG = LoggerFactory.getLogger(ConntrackCleaner.class);

    private ConntrackCleaner() {
    }

    /**
     * The {@code conntrack} argv lists (without any prefix) that clean up after going from
     * {@code previous} to {@code current}; empty when no UDP endpoint disappeared or appeared.
     */
    public static List<List<String>> commands(ProxySnapshot previous, ProxySnapshot current) {
        requireNonNull(previous, "previous");
        requireNonNull(current, "current");
        Set<List<String>> out = new LinkedHashSet<>();
        for (Map.Entry<ServicePortName, ServicePortInfo> entry : previous.services().ports().entrySet()) {
            ServicePortInfo svc = entry.getValue();
            if (svc.protocol() != Protocol.UDP) {
                continue;
            }
            Set<String> now = usable(current, entry.getKey());
            for (String ip : usable(previous, entry.getKey())) {
                if (now.contains(ip)) {
                    continue;
                }
                for (String vip : vips(svc)) {
                    out.add(List.of("conntrack", "-D", "--orig-dst", vip, "--dst-nat", ip, "-p", "udp"));
                }
                if (svc.nodePort() != 0) {
                    out.add(List.of("conntrack", "-D", "-p", "udp", "--dport", Integer.toString(svc.nodePort()),
                            "--dst-nat", ip));
                }
            }
        }
        for (Map.Entry<ServicePortName, ServicePortInfo> entry : current.services().ports().entrySet()) {
            ServicePortInfo svc = entry.getValue();
            if (svc.protocol() != Protocol.UDP || usable(current, entry.getKey()).isEmpty()
                    || !usable(previous, entry.getKey()).isEmpty()) {
                continue;
            }
            for (String vip : vips(svc)) {
                out.add(List.of("conntrack", "-D", "--orig-dst", vip, "-p", "udp"));
            }
            if (svc.nodePort() != 0) {
                out.add(List.of("conntrack", "-D", "-p", "udp", "--dport", Integer.toString(svc.nodePort())));
            }
        }
        return List.copyOf(out);
    }

    /**
     * Runs {@code commands}, each prefixed with {@code argvPrefix}; failures are logged, never thrown
     * (a missing {@code conntrack} binary must not fail the sync).
     */
    public static void run(CommandRunner runner, List<String> argvPrefix, List<List<String>> commands) {
        for (List<String> command : commands) {
            List<String> argv = new ArrayList<>(argvPrefix);
            argv.addAll(command);
            try {
                CommandResult result = runner.run(argv, "", CommandRunner.DEFAULT_TIMEOUT);
                if (result.exitCode() > 1) {
                    LOG.warn("{} failed: {}", argv, result.stderr().strip());
                }
            } catch (RuntimeException e) {
                LOG.warn("{} failed: {}", argv, e.toString());
            }
        }
    }

    private static List<String> vips(ServicePortInfo svc) {
        List<String> out = new ArrayList<>();
        out.add(svc.clusterIP());
        out.addAll(svc.externalIPs());
        out.addAll(svc.loadBalancerIPs());
        return out;
    }

    private static Set<String> usable(ProxySnapshot snapshot, ServicePortName name) {
        Set<String> out = new LinkedHashSet<>();
        snapshot.services().get(name).ifPresent(svc -> CategorizedEndpoints.of(snapshot.endpoints().get(name), svc)
                .allReachable().forEach(e -> out.add(e.ip())));
        return out;
    }
}
