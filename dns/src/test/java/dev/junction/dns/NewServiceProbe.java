package dev.junction.dns;

import dev.junction.common.KubeClients;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Benchmark helper (not a test): the DNS server's part of "a new Service resolves" (issue #3:
 * p99 ≤ 100 ms over 100 creations), against an already running API server and DNS server, e.g.
 * the ones {@code bench/dns/run.sh} starts with 10k Services loaded. For each of COUNT new
 * ClusterIP Services in namespace {@code ns-0}: check its name is NXDOMAIN, create it through
 * the API, then ask for its A record over UDP every {@value #POLL_MICROS} µs until the answer
 * carries the allocated cluster IP. Prints {@code RESULT dns-new-service} with percentiles of the
 * time from the create call's return (and from its start) to the first correct answer, in ms, then
 * deletes the Services. The whole path is measured: API write → watch event → informer → index
 * rebuild → answer.
 *
 * <pre>java -cp … dev.junction.dns.NewServiceProbe API_URL DNS_PORT [COUNT=100]</pre>
 */
public final class NewServiceProbe {
    private static final long POLL_MICROS = 250;

    private NewServiceProbe() {
    }

    public static void main(String[] args) throws IOException {
        String api = args[0];
        int dnsPort = Integer.parseInt(args[1]);
        int count = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        DnsTestClient dns = new DnsTestClient(dnsPort);
        List<Long> afterReturn = new ArrayList<>();
        List<Long> afterStart = new ArrayList<>();
        try (KubernetesClient client = KubeClients.create(Optional.of(api), Optional.empty())) {
            String run = Long.toString(System.currentTimeMillis() % 100000, 36);
            List<Service> created = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String name = "probe-" + run + "-" + i;
                String fqdn = name + ".ns-0.svc.cluster.local";
                if (dns.udp(fqdn, Type.A).getRcode() != Rcode.NXDOMAIN) {
                    throw new IllegalStateException(fqdn + " exists before its creation");
                }
                Service svc = new ServiceBuilder().withNewMetadata().withNamespace("ns-0").withName(name).endMetadata()
                        .withNewSpec().addNewPort().withName("http").withProtocol("TCP").withPort(80).endPort().endSpec()
                        .build();
                long t0 = System.nanoTime();
                Service out = client.resource(svc).create();
                long t1 = System.nanoTime();
                created.add(out);
                String ip = out.getSpec().getClusterIP();
                long deadline = t1 + TimeUnit.SECONDS.toNanos(10);
                while (true) {
                    Message r = dns.udp(fqdn, Type.A);
                    if (r.getRcode() == Rcode.NOERROR && DnsTestClient.rdata(r, Section.ANSWER).contains(ip)) {
                        break;
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(fqdn + " did not resolve to " + ip + " within 10 s");
                    }
                    LockSupport.parkNanos(POLL_MICROS * 1000);
                }
                long t2 = System.nanoTime();
                afterReturn.add(t2 - t1);
                afterStart.add(t2 - t0);
            }
            created.forEach(s -> client.resource(s).delete());
        }
        System.out.printf(Locale.ROOT, "RESULT dns-new-service count=%d after_create_returned_p50_ms=%s p99_ms=%s max_ms=%s"
                + " after_create_started_p50_ms=%s p99_ms=%s max_ms=%s%n", count, pct(afterReturn, 0.5), pct(afterReturn, 0.99),
                pct(afterReturn, 1.0), pct(afterStart, 0.5), pct(afterStart, 0.99), pct(afterStart, 1.0));
    }

    private static String pct(List<Long> nanos, double q) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        int i = Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1);
        return String.format(Locale.ROOT, "%.1f", sorted.get(Math.max(0, i)) / 1e6);
    }
}
