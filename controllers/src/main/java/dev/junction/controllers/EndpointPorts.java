package dev.junction.controllers;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Resolves a Service port's {@code targetPort} against one pod, as upstream {@code podutil.FindPort}:
 * a number is used as is (absent means {@code port}); a name is looked up among the pod's containers'
 * (and restartable init containers') {@code containerPort}s with the same name and protocol. A name
 * that the pod does not declare resolves to nothing, and the port is left out for that pod.
 */
final class EndpointPorts {
    private EndpointPorts() {
    }

    /** One resolved endpoint port; {@code name} is "" when the service port is unnamed, {@code appProtocol} may be null. */
    record Port(String name, int port, String protocol, String appProtocol) implements Comparable<Port> {
        @Override
        public int compareTo(Port o) {
            int c = name.compareTo(o.name);
            if (c != 0) {
                return c;
            }
            c = protocol.compareTo(o.protocol);
            return c != 0 ? c : Integer.compare(port, o.port);
        }
    }

    static Optional<Integer> resolve(ServicePort servicePort, Pod pod) {
        IntOrString target = servicePort.getTargetPort();
        if (target == null || (target.getIntVal() == null && (target.getStrVal() == null || target.getStrVal().isEmpty()))) {
            return Optional.ofNullable(servicePort.getPort());
        }
        if (target.getIntVal() != null) {
            return Optional.of(target.getIntVal());
        }
        String protocol = protocol(servicePort.getProtocol());
        List<Container> containers = new ArrayList<>();
        if (pod.getSpec() != null) {
            containers.addAll(pod.getSpec().getContainers() == null ? List.of() : pod.getSpec().getContainers());
            if (pod.getSpec().getInitContainers() != null) {
                pod.getSpec().getInitContainers().stream()
                        .filter(c -> "Always".equals(c.getRestartPolicy())).forEach(containers::add);
            }
        }
        for (Container c : containers) {
            for (ContainerPort p : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
                if (target.getStrVal().equals(p.getName()) && protocol.equals(protocol(p.getProtocol()))) {
                    return Optional.ofNullable(p.getContainerPort());
                }
            }
        }
        return Optional.empty();
    }

    /** Every service port that resolves for {@code pod}, sorted. */
    static List<Port> forPod(List<ServicePort> servicePorts, Pod pod) {
        List<Port> out = new ArrayList<>();
        for (ServicePort sp : servicePorts) {
            resolve(sp, pod).ifPresent(port -> out.add(new Port(sp.getName() == null ? "" : sp.getName(), port,
                    protocol(sp.getProtocol()), sp.getAppProtocol())));
        }
        out.sort(null);
        return List.copyOf(out);
    }

    static String protocol(String protocol) {
        return protocol == null || protocol.isEmpty() ? "TCP" : protocol;
    }
}
