package dev.junction.node;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A container's environment and argv as kubelet builds them ({@code makeEnvironmentVariables} and
 * {@code ExpandContainerCommandAndArgs} in kubernetes {@code pkg/kubelet/kubelet_pods.go} and
 * {@code pkg/kubelet/container/helpers.go}): container {@code env} in order, each value expanded
 * against the variables defined before it and the Service variables; {@code valueFrom.fieldRef}
 * for {@code metadata.name|namespace|uid}, {@code spec.nodeName|serviceAccountName},
 * {@code status.podIP|podIPs|hostIP|hostIPs}; then Service variables not overridden; then
 * {@code HOSTNAME} (set by the runtime). {@code command}/{@code args} are expanded against the result.
 */
public final class ContainerEnv {
    private ContainerEnv() {
    }

    /**
     * @param pod        the pod
     * @param container  one of its containers
     * @param serviceEnv the Service variables captured at pod start (see {@link ServiceEnv})
     * @param hostname   the pod's hostname
     * @param podIp      the pod's IP
     * @param hostIp     the node's IP
     * @return name → value, in definition order
     */
    public static Map<String, String> build(Pod pod, Container container, Map<String, String> serviceEnv,
            String hostname, String podIp, String hostIp) {
        requireNonNull(pod, "pod");
        requireNonNull(container, "container");
        requireNonNull(serviceEnv, "serviceEnv");
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar var : container.getEnv() == null ? List.<EnvVar>of() : container.getEnv()) {
            String value = "";
            if (var.getValue() != null && !var.getValue().isEmpty()) {
                Map<String, String> scope = new LinkedHashMap<>(serviceEnv);
                scope.putAll(env);
                value = Expansion.expand(var.getValue(), scope);
            } else if (var.getValueFrom() != null && var.getValueFrom().getFieldRef() != null) {
                value = fieldRef(pod, var.getValueFrom().getFieldRef().getFieldPath(), podIp, hostIp).orElse("");
            }
            env.put(var.getName(), value);
        }
        serviceEnv.forEach(env::putIfAbsent);
        env.putIfAbsent("HOSTNAME", hostname);
        return env;
    }

    /** {@code command + args} with {@code $(VAR)} expanded against {@code env}. */
    public static List<String> argv(Container container, Map<String, String> env) {
        requireNonNull(container, "container");
        List<String> command = container.getCommand() == null ? List.of() : container.getCommand();
        List<String> args = container.getArgs() == null ? List.of() : container.getArgs();
        List<String> out = new java.util.ArrayList<>(Expansion.expandAll(command, env));
        out.addAll(Expansion.expandAll(args, env));
        return out;
    }

    static Optional<String> fieldRef(Pod pod, String path, String podIp, String hostIp) {
        return Optional.ofNullable(switch (path) {
            case "metadata.name" -> pod.getMetadata().getName();
            case "metadata.namespace" -> pod.getMetadata().getNamespace();
            case "metadata.uid" -> pod.getMetadata().getUid();
            case "spec.nodeName" -> pod.getSpec().getNodeName();
            case "spec.serviceAccountName" -> pod.getSpec().getServiceAccountName();
            case "status.podIP", "status.podIPs" -> podIp;
            case "status.hostIP", "status.hostIPs" -> hostIp;
            default -> labelOrAnnotation(pod, path);
        });
    }

    private static String labelOrAnnotation(Pod pod, String path) {
        Map<String, String> source;
        String rest;
        if (path.startsWith("metadata.labels['")) {
            source = pod.getMetadata().getLabels();
            rest = path.substring("metadata.labels['".length());
        } else if (path.startsWith("metadata.annotations['")) {
            source = pod.getMetadata().getAnnotations();
            rest = path.substring("metadata.annotations['".length());
        } else {
            return null;
        }
        if (source == null || !rest.endsWith("']")) {
            return null;
        }
        return source.get(rest.substring(0, rest.length() - 2));
    }
}
