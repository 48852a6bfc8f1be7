package dev.junction.node;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Docker-links style Service environment variables, as kubelet computes them
 * (kubernetes {@code pkg/kubelet/envvars/envvars.go} {@code FromServices} and
 * {@code getServiceEnvVarMap} in {@code pkg/kubelet/kubelet_pods.go}). For a Service {@code my-svc}
 * with ClusterIP 10.96.0.5 and first port 80/TCP named http:
 * <pre>
 * MY_SVC_SERVICE_HOST=10.96.0.5        MY_SVC_SERVICE_PORT=80        MY_SVC_SERVICE_PORT_HTTP=80
 * MY_SVC_PORT=tcp://10.96.0.5:80       MY_SVC_PORT_80_TCP=tcp://10.96.0.5:80
 * MY_SVC_PORT_80_TCP_PROTO=tcp         MY_SVC_PORT_80_TCP_PORT=80    MY_SVC_PORT_80_TCP_ADDR=10.96.0.5
 * </pre>
 * Headless Services and Services without a ClusterIP are skipped.
 */
public final class ServiceEnv {
    private ServiceEnv() {
    }

    /**
     * Selects the Services whose variables a pod gets: those in its namespace when
     * {@code enableServiceLinks} is true, and always {@code default/kubernetes} (unless a
     * same-named Service in the pod's namespace is selected).
     *
     * @param services every Service known at pod start
     */
    public static Map<String, String> forPod(String namespace, boolean enableServiceLinks, Collection<Service> services) {
        requireNonNull(namespace, "namespace");
        requireNonNull(services, "services");
        Map<String, Service> selected = new TreeMap<>();
        List<Service> ordered = services.stream()
                .sorted(Comparator.comparing((Service s) -> !s.getMetadata().getNamespace().equals(namespace)))
                .toList();
        for (Service service : ordered) {
            if (!ipSet(service)) {
                continue;
            }
            String ns = service.getMetadata().getNamespace();
            String name = service.getMetadata().getName();
            if (ns.equals(namespace) && enableServiceLinks) {
                selected.put(name, service);
            } else if (ns.equals("default") && name.equals("kubernetes")) {
                selected.putIfAbsent(name, service);
            }
        }
        return fromServices(selected.values());
    }

    /** The variables of the given Services, in a stable order. */
    public static Map<String, String> fromServices(Collection<Service> services) {
        requireNonNull(services, "services");
        Map<String, String> env = new LinkedHashMap<>();
        for (Service service : services) {
            if (!ipSet(service)) {
                continue;
            }
            String prefix = variableName(service.getMetadata().getName());
            String ip = service.getSpec().getClusterIP();
            List<ServicePort> ports = service.getSpec().getPorts() == null ? List.of() : service.getSpec().getPorts();
            env.put(prefix + "_SERVICE_HOST", ip);
            if (!ports.isEmpty()) {
                env.put(prefix + "_SERVICE_PORT", Integer.toString(ports.get(0).getPort()));
            }
            for (ServicePort port : ports) {
                if (port.getName() != null && !port.getName().isEmpty()) {
                    env.put(prefix + "_SERVICE_PORT_" + variableName(port.getName()), Integer.toString(port.getPort()));
                }
            }
            String host = ip.contains(":") ? "[" + ip + "]" : ip;
            for (int i = 0; i < ports.size(); i++) {
                ServicePort port = ports.get(i);
                String protocol = port.getProtocol() == null ? "TCP" : port.getProtocol();
                String url = protocol.toLowerCase(Locale.ROOT) + "://" + host + ":" + port.getPort();
                if (i == 0) {
                    env.put(prefix + "_PORT", url);
                }
                String portPrefix = prefix + "_PORT_" + port.getPort() + "_" + protocol.toUpperCase(Locale.ROOT);
                env.put(portPrefix, url);
                env.put(portPrefix + "_PROTO", protocol.toLowerCase(Locale.ROOT));
                env.put(portPrefix + "_PORT", Integer.toString(port.getPort()));
                env.put(portPrefix + "_ADDR", ip);
            }
        }
        return env;
    }

    /** {@code my-svc} → {@code MY_SVC}. */
    static String variableName(String name) {
        return name.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    private static boolean ipSet(Service service) {
        String ip = service.getSpec() == null ? null : service.getSpec().getClusterIP();
        return ip != null && !ip.isEmpty() && !ip.equals("None");
    }
}
