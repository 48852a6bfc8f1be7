package dev.junction.ingress;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerStatus;
import io.fabric8.kubernetes.api.model.networking.v1.IngressStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@code status.loadBalancer.ingress} of the Ingresses we serve from the address of the
 * published Service ({@code --publish-service}), as ingress-nginx does
 * (internal/ingress/status/status.go, {@code statusAddressFromService}): a LoadBalancer Service
 * contributes its {@code status.loadBalancer.ingress} IPs/hostnames plus {@code externalIPs}; a
 * NodePort or ClusterIP Service its {@code externalIPs} or else its ClusterIP; an ExternalName
 * Service its external name. Only Ingresses whose status differs are updated.
 */
final class IngressStatusWriter {
    private static final Logger log = LoggerFactory.getLogger(IngressStatusWriter.class);

    private IngressStatusWriter() {
    }

    /** The addresses a published Service gives, sorted (IPs first, then hostnames). */
    static List<IngressLoadBalancerIngress> addresses(Service svc) {
        requireNonNull(svc, "svc");
        List<IngressLoadBalancerIngress> out = new ArrayList<>();
        var spec = svc.getSpec();
        if (spec == null) {
            return out;
        }
        String type = spec.getType() == null ? "ClusterIP" : spec.getType();
        List<String> external = spec.getExternalIPs() == null ? List.of() : spec.getExternalIPs();
        switch (type) {
            case "ExternalName" -> {
                if (spec.getExternalName() != null) {
                    out.add(new IngressLoadBalancerIngressBuilder().withHostname(spec.getExternalName()).build());
                }
            }
            case "LoadBalancer" -> {
                if (svc.getStatus() != null && svc.getStatus().getLoadBalancer() != null
                        && svc.getStatus().getLoadBalancer().getIngress() != null) {
                    for (LoadBalancerIngress i : svc.getStatus().getLoadBalancer().getIngress()) {
                        out.add(new IngressLoadBalancerIngressBuilder().withIp(i.getIp()).withHostname(i.getHostname()).build());
                    }
                }
                external.forEach(ip -> out.add(new IngressLoadBalancerIngressBuilder().withIp(ip).build()));
            }
            default -> {
                if (!external.isEmpty()) {
                    external.forEach(ip -> out.add(new IngressLoadBalancerIngressBuilder().withIp(ip).build()));
                } else if (spec.getClusterIP() != null && !"None".equals(spec.getClusterIP())) {
                    out.add(new IngressLoadBalancerIngressBuilder().withIp(spec.getClusterIP()).build());
                }
            }
        }
        out.sort(Comparator.comparing((IngressLoadBalancerIngress i) -> i.getIp() == null ? 1 : 0)
                .thenComparing(i -> Objects.toString(i.getIp(), "") + Objects.toString(i.getHostname(), "")));
        return out;
    }

    /** Updates {@code ingress}'s status to {@code addresses} if it differs; logs and swallows API errors. */
    static void write(KubernetesClient client, Ingress ingress, List<IngressLoadBalancerIngress> addresses) {
        List<IngressLoadBalancerIngress> current = ingress.getStatus() == null || ingress.getStatus().getLoadBalancer() == null
                || ingress.getStatus().getLoadBalancer().getIngress() == null ? List.of()
                : ingress.getStatus().getLoadBalancer().getIngress();
        if (current.equals(addresses)) {
            return;
        }
        try {
            Ingress copy = client.network().v1().ingresses().inNamespace(ingress.getMetadata().getNamespace())
                    .withName(ingress.getMetadata().getName()).get();
            if (copy == null) {
                return;
            }
            copy.setStatus(new IngressStatus(new IngressLoadBalancerStatus(addresses)));
            client.network().v1().ingresses().inNamespace(copy.getMetadata().getNamespace()).resource(copy).updateStatus();
        } catch (RuntimeException e) {
            log.warn("ingress {}/{}: cannot update status: {}", ingress.getMetadata().getNamespace(),
                    ingress.getMetadata().getName(), e.toString());
        }
    }
}
