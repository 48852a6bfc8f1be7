package dev.junction.ingress;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPathBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLSBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builders for the API objects the ingress controller consumes. */
final class Fixtures {
    static final String CONTROLLER = "junction.dev/ingress-controller";

    private Fixtures() {
    }

    static IngressClass ingressClass(String name, boolean isDefault) {
        IngressClassBuilder b = new IngressClassBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withController(CONTROLLER).endSpec();
        if (isDefault) {
            b.editMetadata().withAnnotations(Map.of(RouteTableBuilder.DEFAULT_CLASS_ANNOTATION, "true")).endMetadata();
        }
        return b.build();
    }

    static HTTPIngressPath path(String pathType, String path, String service, int port) {
        return new HTTPIngressPathBuilder().withPathType(pathType).withPath(path)
                .withNewBackend().withNewService().withName(service).withNewPort().withNumber(port).endPort()
                .endService().endBackend().build();
    }

    static HTTPIngressPath namedPort(String pathType, String path, String service, String portName) {
        return new HTTPIngressPathBuilder().withPathType(pathType).withPath(path)
                .withNewBackend().withNewService().withName(service).withNewPort().withName(portName).endPort()
                .endService().endBackend().build();
    }

    static IngressRule rule(String host, HTTPIngressPath... paths) {
        return new IngressRuleBuilder().withHost(host).withNewHttp().withPaths(paths).endHttp().build();
    }

    /** A builder-style Ingress description. */
    static final class Ing {
        final String ns;
        final String name;
        String className = "junction";
        String created = "2026-01-01T00:00:00Z";
        final List<IngressRule> rules = new ArrayList<>();
        final Map<String, String> annotations = new LinkedHashMap<>();
        final List<io.fabric8.kubernetes.api.model.networking.v1.IngressTLS> tls = new ArrayList<>();
        io.fabric8.kubernetes.api.model.networking.v1.IngressBackend defaultBackend;

        Ing(String ns, String name) {
            this.ns = ns;
            this.name = name;
        }

        Ing className(String c) {
            className = c;
            return this;
        }

        Ing created(String c) {
            created = c;
            return this;
        }

        Ing rule(String host, HTTPIngressPath... paths) {
            rules.add(Fixtures.rule(host, paths));
            return this;
        }

        Ing annotation(String k, String v) {
            annotations.put(k.contains("/") ? k : IngressAnnotations.PREFIX + k, v);
            return this;
        }

        Ing tls(String secret, String... hosts) {
            tls.add(new IngressTLSBuilder().withSecretName(secret).withHosts(hosts).build());
            return this;
        }

        Ing defaultBackend(String service, int port) {
            defaultBackend = new io.fabric8.kubernetes.api.model.networking.v1.IngressBackendBuilder()
                    .withNewService().withName(service).withNewPort().withNumber(port).endPort().endService().build();
            return this;
        }

        Ing resourceDefaultBackend() {
            defaultBackend = new io.fabric8.kubernetes.api.model.networking.v1.IngressBackendBuilder()
                    .withResource(new io.fabric8.kubernetes.api.model.TypedLocalObjectReference("k8s.example.com", "StorageBucket", "static"))
                    .build();
            return this;
        }

        Ingress build() {
            return new IngressBuilder().withNewMetadata().withNamespace(ns).withName(name)
                    .withCreationTimestamp(created).withAnnotations(annotations.isEmpty() ? null : annotations).endMetadata()
                    .withNewSpec().withIngressClassName(className).withRules(rules).withTls(tls.isEmpty() ? null : tls)
                    .withDefaultBackend(defaultBackend).endSpec().build();
        }
    }

    static Ing ingress(String ns, String name) {
        return new Ing(ns, name);
    }

    static Service service(String ns, String name, String portName, int port) {
        return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP("10.96.0.50")
                .withPorts(new ServicePortBuilder().withName(portName.isEmpty() ? null : portName).withPort(port)
                        .withTargetPort(new IntOrString(port)).withProtocol("TCP").build())
                .endSpec().build();
    }

    /** A slice for {@code service} whose port named {@code portName} is {@code targetPort} on every address. */
    static EndpointSlice slice(String ns, String name, String service, String portName, int targetPort,
            Map<String, Boolean> addresses) {
        List<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint> eps = new ArrayList<>();
        addresses.forEach((ip, ready) -> eps.add(new EndpointBuilder().withAddresses(ip)
                .withNewConditions().withReady(ready).endConditions().build()));
        return new EndpointSliceBuilder().withNewMetadata().withNamespace(ns).withName(name)
                .withLabels(Map.of(RouteTableBuilder.SERVICE_NAME_LABEL, service)).endMetadata()
                .withAddressType("IPv4")
                .withPorts(new EndpointPortBuilder().withName(portName.isEmpty() ? null : portName).withPort(targetPort)
                        .withProtocol("TCP").build())
                .withEndpoints(eps).build();
    }

    static Secret tlsSecret(String ns, String name, SelfSignedCertificates.Pem pem) {
        Base64.Encoder enc = Base64.getEncoder();
        return new SecretBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withType("kubernetes.io/tls")
                .withData(Map.of("tls.crt", enc.encodeToString(pem.certificatePem().getBytes(StandardCharsets.US_ASCII)),
                        "tls.key", enc.encodeToString(pem.keyPem().getBytes(StandardCharsets.US_ASCII))))
                .build();
    }
}
