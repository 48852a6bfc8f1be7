package dev.junction.ingress;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressServiceBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Builds a {@link RouteTable} from a {@link ClusterState}: a pure function (no I/O).
 *
 * <p><b>Which Ingresses are ours</b> (networking.k8s.io/v1 IngressClass, KEP-1453 "Ingress
 * graduation to GA"): {@code spec.ingressClassName} names an IngressClass whose
 * {@code spec.controller} is our controller name, or equals our {@code --ingress-class}; without
 * a class name the deprecated annotation {@code kubernetes.io/ingress.class} is compared with
 * {@code --ingress-class}; an Ingress with neither is ours when one of our IngressClasses carries
 * {@code ingressclass.kubernetes.io/is-default-class: "true"}.
 *
 * <p><b>Merging and the conflict rule</b>: Ingresses are processed oldest first
 * ({@code metadata.creationTimestamp}, then {@code namespace/name}); rules of all of them are
 * merged per host. When two Ingresses declare the same host, path and pathType, the older one
 * wins and the newer one's rule is dropped with a {@code Conflict} event; the same holds for
 * {@code spec.defaultBackend} and for TLS certificates per host. Canary Ingresses (ingress-nginx
 * {@code canary: "true"}) never conflict: they attach to the main rule with the same host and path.
 *
 * <p><b>Rejection</b>: an Ingress with a resource backend ({@code backend.resource}), a path of
 * type Exact/Prefix not starting with {@code /}, or an invalid regular expression under
 * {@code use-regex} is left out entirely (reported with {@code rejected = true}); the rest of the
 * cluster keeps working. Unknown or malformed ingress-nginx annotations are reported but do not
 * reject.
 *
 * <p><b>Backends</b>: a Service port is found by number ({@code port.number}) or by name
 * ({@code port.name}); its endpoints are the ready endpoints ({@code conditions.ready} true or
 * unset) of the EndpointSlices labelled {@code kubernetes.io/service-name}, on the slice port
 * whose name equals the Service port's name (upstream kube-proxy does the same:
 * pkg/proxy/endpointslicecache.go). ExternalName Services resolve to their external name.
 */
public final class RouteTableBuilder {
    /** The IngressClass annotation that makes class-less Ingresses ours. */
    public static final String DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";
    /** The deprecated per-Ingress class annotation. */
    public static final String CLASS_ANNOTATION = "kubernetes.io/ingress.class";
    /** The EndpointSlice label naming its Service. */
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private final String controllerName;
    private final String ingressClass;

    /**
     * @param controllerName the IngressClass {@code spec.controller} value we implement
     * @param ingressClass   the class name we also answer to ({@code --ingress-class})
     */
    public RouteTableBuilder(String controllerName, String ingressClass) {
        this.controllerName = requireNonNull(controllerName, "controllerName");
        this.ingressClass = requireNonNull(ingressClass, "ingressClass");
    }

    /**
     * The result of one build.
     *
     * @param table    the routes
     * @param tls      TLS host (lowercase, may be {@code *.foo.com}) → {@code namespace/secretName}
     * @param accepted {@code namespace/name} of the Ingresses served (status is written to these)
     * @param problems everything to report
     */
    public record Result(RouteTable table, Map<String, String> tls, List<String> accepted, List<IngressProblem> problems) {
        public Result {
            requireNonNull(table, "table");
            tls = Map.copyOf(tls);
            accepted = List.copyOf(accepted);
            problems = List.copyOf(problems);
        }
    }

    /** Whether {@code ingress} is handled by this controller given the IngressClasses. */
    public boolean isOurs(Ingress ingress, List<IngressClass> classes) {
        String className = ingress.getSpec() == null ? null : ingress.getSpec().getIngressClassName();
        if (className != null) {
            if (className.equals(ingressClass)) {
                return true;
            }
            return classes.stream().anyMatch(c -> className.equals(c.getMetadata().getName()) && ours(c));
        }
        Map<String, String> annotations = annotations(ingress.getMetadata());
        String legacy = annotations.get(CLASS_ANNOTATION);
        if (legacy != null) {
            return legacy.equals(ingressClass);
        }
        return classes.stream().anyMatch(c -> ours(c)
                && "true".equalsIgnoreCase(annotations(c.getMetadata()).get(DEFAULT_CLASS_ANNOTATION)));
    }

    private boolean ours(IngressClass c) {
        return c.getSpec() != null && controllerName.equals(c.getSpec().getController());
    }

    /** Builds the table; {@code generation} is stored in it for logs and metrics. */
    public Result build(ClusterState state, long generation) {
        requireNonNull(state, "state");
        List<Ingress> ours = new ArrayList<>();
        for (Ingress i : state.ingresses()) {
            if (isOurs(i, state.classes())) {
                ours.add(i);
            }
        }
        ours.sort(Comparator.comparing((Ingress i) -> Objects.toString(i.getMetadata().getCreationTimestamp(), ""))
                .thenComparing(RouteTableBuilder::key));
        List<IngressProblem> problems = new ArrayList<>();
        Map<String, Upstream> upstreams = new HashMap<>();
        Map<String, String> tls = new LinkedHashMap<>();
        Map<String, String> tlsOwner = new HashMap<>();
        List<String> accepted = new ArrayList<>();
        Map<String, Map<String, Route>> groups = new LinkedHashMap<>();
        List<Route> canaries = new ArrayList<>();
        Optional<Route> defaultBackend = Optional.empty();
        for (Ingress ing : ours) {
            String key = key(ing);
            IngressAnnotations ann = IngressAnnotations.parse(annotations(ing.getMetadata()));
            Optional<String> invalid = validate(ing, ann);
            if (invalid.isPresent()) {
                String reason = invalid.get().startsWith("resource backend") ? "ResourceBackendUnsupported" : "InvalidIngress";
                problems.add(new IngressProblem(key, reason, "Ingress rejected: " + invalid.get(), true));
                continue;
            }
            accepted.add(key);
            for (String u : ann.unknown()) {
                problems.add(new IngressProblem(key, "UnknownAnnotation",
                        "annotation " + u + " is not supported by this controller and has no effect", false));
            }
            for (String e : ann.errors()) {
                problems.add(new IngressProblem(key, "InvalidAnnotation", "annotation ignored: " + e, false));
            }
            String ns = ing.getMetadata().getNamespace();
            Set<String> ruleHosts = new LinkedHashSet<>();
            for (IngressRule rule : rules(ing)) {
                String host = rule.getHost() == null ? "" : rule.getHost().toLowerCase(Locale.ROOT);
                ruleHosts.add(host);
                if (rule.getHttp() == null || rule.getHttp().getPaths() == null) {
                    continue;
                }
                for (HTTPIngressPath p : rule.getHttp().getPaths()) {
                    PathType type = p.getPathType() == null ? PathType.IMPLEMENTATION_SPECIFIC : PathType.parse(p.getPathType());
                    String path = p.getPath() == null || p.getPath().isEmpty() ? "/" : p.getPath();
                    Upstream up = upstream(state, upstreams, ns, p.getBackend().getService(), ann.backendProtocol());
                    Route route = new Route(host, path, type, Optional.empty(), key, up, Optional.empty(), ann, false);
                    if (ann.canary()) {
                        canaries.add(route);
                        continue;
                    }
                    String pathKey = type.exact() + " " + path;
                    Map<String, Route> group = groups.computeIfAbsent(host, h -> new LinkedHashMap<>());
                    Route existing = group.get(pathKey);
                    if (existing != null) {
                        problems.add(new IngressProblem(key, "Conflict", "host " + display(host) + " path " + path
                                + " (" + type + ") is already served by the older Ingress " + existing.ingress()
                                + "; this rule is ignored", false));
                        continue;
                    }
                    group.put(pathKey, route);
                }
            }
            if (ing.getSpec().getDefaultBackend() != null && !ann.canary()) {
                Upstream up = upstream(state, upstreams, ns, ing.getSpec().getDefaultBackend().getService(), ann.backendProtocol());
                if (defaultBackend.isPresent()) {
                    problems.add(new IngressProblem(key, "Conflict", "spec.defaultBackend ignored: the older Ingress "
                            + defaultBackend.get().ingress() + " already defines the default backend", false));
                } else {
                    defaultBackend = Optional.of(new Route("", "/", PathType.PREFIX, Optional.empty(), key, up,
                            Optional.empty(), ann, false));
                }
            }
            if (ing.getSpec().getTls() != null && !ann.canary()) {
                for (IngressTLS t : ing.getSpec().getTls()) {
                    if (t.getSecretName() == null || t.getSecretName().isEmpty()) {
                        continue;
                    }
                    List<String> hosts = t.getHosts() == null || t.getHosts().isEmpty() ? List.copyOf(ruleHosts) : t.getHosts();
                    for (String h : hosts) {
                        String host = h.toLowerCase(Locale.ROOT);
                        if (host.isEmpty()) {
                            continue;
                        }
                        String owner = tlsOwner.putIfAbsent(host, key);
                        if (owner == null) {
                            tls.put(host, ns + "/" + t.getSecretName());
                        } else if (!owner.equals(key)) {
                            problems.add(new IngressProblem(key, "Conflict", "TLS for host " + host
                                    + " ignored: the older Ingress " + owner + " already provides its certificate", false));
                        }
                    }
                }
            }
        }
        for (Route c : canaries) {
            Map<String, Route> group = groups.get(c.host());
            String pathKey = c.pathType().exact() + " " + c.path();
            Route main = group == null ? null : group.get(pathKey);
            if (main == null) {
                problems.add(new IngressProblem(c.ingress(), "CanaryWithoutMain", "canary rule for host "
                        + display(c.host()) + " path " + c.path() + " has no main Ingress with the same host and path", false));
            } else if (main.canary().isPresent()) {
                problems.add(new IngressProblem(c.ingress(), "Conflict", "host " + display(c.host()) + " path " + c.path()
                        + " already has the canary " + main.canary().get().ingress(), false));
            } else {
                group.put(pathKey, main.withCanary(new Route.Canary(c.ingress(), c.upstream(), c.annotations())));
            }
        }
        Map<String, List<Route>> hosts = new HashMap<>();
        for (Map.Entry<String, Map<String, Route>> g : groups.entrySet()) {
            List<Route> routes = new ArrayList<>(g.getValue().values());
            boolean regexMode = routes.stream().anyMatch(r -> r.annotations().useRegex());
            boolean tlsHost = tls.containsKey(g.getKey()) || tls.containsKey(HostMatching.wildcardOf(g.getKey()));
            List<Route> finished = new ArrayList<>();
            for (Route r : routes) {
                Optional<Pattern> regex = regexMode ? Optional.of(compile(r.path())) : Optional.empty();
                finished.add(new Route(r.host(), r.path(), r.pathType(), regex, r.ingress(), r.upstream(), r.canary(),
                        r.annotations(), tlsHost));
            }
            // Stable sort keeps the older Ingress first among equals.
            finished.sort(Comparator.comparingInt((Route r) -> -PathMatching.precedenceLength(r.pathType(), r.path()))
                    .thenComparing(r -> r.pathType().exact() ? 0 : 1));
            hosts.put(g.getKey(), List.copyOf(finished));
        }
        return new Result(new RouteTable(hosts, defaultBackend, generation), tls, accepted, problems);
    }

    private static Pattern compile(String path) {
        try {
            return Pattern.compile(path, Pattern.CASE_INSENSITIVE);
        } catch (PatternSyntaxException e) {
            return Pattern.compile(Pattern.quote(path), Pattern.CASE_INSENSITIVE);
        }
    }

    private static String display(String host) {
        return host.isEmpty() ? "*" : host;
    }

    private static Optional<String> validate(Ingress ing, IngressAnnotations ann) {
        if (ing.getSpec() == null) {
            return Optional.of("spec is missing");
        }
        if (ing.getSpec().getDefaultBackend() != null && ing.getSpec().getDefaultBackend().getService() == null) {
            return Optional.of(backendProblem(ing.getSpec().getDefaultBackend(), "spec.defaultBackend"));
        }
        for (IngressRule rule : rules(ing)) {
            if (rule.getHttp() == null || rule.getHttp().getPaths() == null) {
                continue;
            }
            for (HTTPIngressPath p : rule.getHttp().getPaths()) {
                String where = "host " + display(rule.getHost() == null ? "" : rule.getHost()) + " path " + p.getPath();
                PathType type;
                try {
                    type = p.getPathType() == null ? PathType.IMPLEMENTATION_SPECIFIC : PathType.parse(p.getPathType());
                } catch (IllegalArgumentException e) {
                    return Optional.of(where + ": " + e.getMessage());
                }
                String path = p.getPath() == null ? "" : p.getPath();
                if (type != PathType.IMPLEMENTATION_SPECIFIC && !path.startsWith("/")) {
                    return Optional.of(where + ": path must start with / for pathType " + p.getPathType());
                }
                if (p.getBackend() == null || p.getBackend().getService() == null) {
                    return Optional.of(backendProblem(p.getBackend(), where));
                }
                IngressServiceBackend s = p.getBackend().getService();
                if (s.getPort() == null || (s.getPort().getNumber() == null && s.getPort().getName() == null)) {
                    return Optional.of(where + ": backend Service " + s.getName() + " has no port (expected: number or name)");
                }
                if (ann.useRegex()) {
                    try {
                        Pattern.compile(path);
                    } catch (PatternSyntaxException e) {
                        return Optional.of(where + ": invalid regular expression under use-regex: " + e.getDescription());
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static String backendProblem(IngressBackend b, String where) {
        if (b != null && b.getResource() != null) {
            return "resource backend " + b.getResource().getKind() + "/" + b.getResource().getName() + " at " + where
                    + " is not supported (expected: a Service backend)";
        }
        return where + ": backend has no service";
    }

    private static List<IngressRule> rules(Ingress ing) {
        return ing.getSpec().getRules() == null ? List.of() : ing.getSpec().getRules();
    }

    private static Upstream upstream(ClusterState state, Map<String, Upstream> memo, String ns,
            IngressServiceBackend backend, BackendProtocol protocol) {
        String port = backend.getPort().getNumber() != null ? String.valueOf(backend.getPort().getNumber())
                : backend.getPort().getName();
        String memoKey = ns + "/" + backend.getName() + ":" + port + ":" + protocol;
        return memo.computeIfAbsent(memoKey, k -> resolve(state, ns, backend, port, protocol));
    }

    private static Upstream resolve(ClusterState state, String ns, IngressServiceBackend backend, String port,
            BackendProtocol protocol) {
        String name = backend.getName();
        Service svc = state.services().get(ns + "/" + name);
        if (svc == null || svc.getSpec() == null) {
            return Upstream.of(ns, name, port, List.of(), protocol, Optional.of("service " + ns + "/" + name + " not found"));
        }
        Optional<ServicePort> sp = svc.getSpec().getPorts() == null ? Optional.empty() : svc.getSpec().getPorts().stream()
                .filter(p -> backend.getPort().getNumber() != null ? backend.getPort().getNumber().equals(p.getPort())
                        : backend.getPort().getName().equals(p.getName()))
                .findFirst();
        if ("ExternalName".equals(svc.getSpec().getType())) {
            int number = sp.map(ServicePort::getPort).orElse(backend.getPort().getNumber() == null ? 80 : backend.getPort().getNumber());
            return Upstream.of(ns, name, port, List.of(InetSocketAddress.createUnresolved(svc.getSpec().getExternalName(), number)),
                    protocol, Optional.empty());
        }
        if (sp.isEmpty()) {
            return Upstream.of(ns, name, port, List.of(), protocol,
                    Optional.of("service " + ns + "/" + name + " has no port " + port));
        }
        String portName = sp.get().getName() == null ? "" : sp.get().getName();
        Set<InetSocketAddress> out = new LinkedHashSet<>();
        List<EndpointSlice> slices = new ArrayList<>(state.slices().getOrDefault(ns + "/" + name, List.of()));
        slices.sort(Comparator.comparing(s -> s.getMetadata().getName()));
        for (EndpointSlice slice : slices) {
            if (slice.getPorts() == null || slice.getEndpoints() == null || "FQDN".equals(slice.getAddressType())) {
                continue;
            }
            Integer number = null;
            for (EndpointPort ep : slice.getPorts()) {
                String epName = ep.getName() == null ? "" : ep.getName();
                String proto = ep.getProtocol() == null ? "TCP" : ep.getProtocol();
                if (epName.equals(portName) && "TCP".equals(proto) && ep.getPort() != null) {
                    number = ep.getPort();
                }
            }
            if (number == null) {
                continue;
            }
            for (Endpoint e : slice.getEndpoints()) {
                boolean ready = e.getConditions() == null || e.getConditions().getReady() == null
                        || e.getConditions().getReady();
                if (!ready || e.getAddresses() == null || e.getAddresses().isEmpty()) {
                    continue;
                }
                try {
                    out.add(new InetSocketAddress(InetAddress.getByName(e.getAddresses().get(0)), number));
                } catch (UnknownHostException ex) {
                    // Not an IP literal: skip (EndpointSlice addresses are IPs for IPv4/IPv6 slices).
                }
            }
        }
        return Upstream.of(ns, name, port, new ArrayList<>(out), protocol,
                out.isEmpty() ? Optional.of("service " + ns + "/" + name + " has no ready endpoints") : Optional.empty());
    }

    /** {@code namespace/name} of an object. */
    static String key(Ingress i) {
        return i.getMetadata().getNamespace() + "/" + i.getMetadata().getName();
    }

    private static Map<String, String> annotations(ObjectMeta meta) {
        return meta == null || meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
    }
}
