package dev.junction.dns;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** fabric8's mock API server in CRUD mode plus builders for the objects DNS consumes. */
final class MockApi implements AutoCloseable {
    /** Keeps fabric8's mock server (java.util.logging) from logging every request. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    final KubernetesMockServer server;
    final KubernetesClient client;

    MockApi() {
        this(0);
    }

    /** @param port the port on 127.0.0.1, 0 = ephemeral */
    MockApi(int port) {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(java.net.InetAddress.getLoopbackAddress(), port);
        client = server.createClient();
    }

    static ServicePort port(String name, String protocol, int port) {
        return new ServicePortBuilder().withName(name.isEmpty() ? null : name).withProtocol(protocol).withPort(port).build();
    }

    static EndpointPort slicePort(String name, String protocol, int port) {
        return new EndpointPortBuilder().withName(name.isEmpty() ? null : name).withProtocol(protocol).withPort(port).build();
    }

    static Endpoint endpoint(String ip, String hostname, boolean ready) {
        return new EndpointBuilder().withAddresses(ip).withHostname(hostname)
                .withNewConditions().withReady(ready).endConditions().build();
    }

    Service clusterIp(String ns, String name, List<String> ips, ServicePort... ports) {
        return client.services().inNamespace(ns).resource(new ServiceBuilder()
                .withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(ips.get(0)).withClusterIPs(ips).withPorts(ports).endSpec()
                .build()).create();
    }

    Service headless(String ns, String name, boolean publishNotReady, ServicePort... ports) {
        return client.services().inNamespace(ns).resource(new ServiceBuilder()
                .withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP("None").withPublishNotReadyAddresses(publishNotReady)
                .withPorts(ports).endSpec()
                .build()).create();
    }

    Service externalName(String ns, String name, String target) {
        return client.services().inNamespace(ns).resource(new ServiceBuilder()
                .withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withType("ExternalName").withExternalName(target).endSpec()
                .build()).create();
    }

    static Endpoint podEndpoint(String ip, String podName, boolean ready) {
        return new EndpointBuilder().withAddresses(ip)
                .withNewTargetRef().withKind("Pod").withName(podName).endTargetRef()
                .withNewConditions().withReady(ready).endConditions().build();
    }

    Pod pod(String ns, String name, String ip) {
        Pod pod = new PodBuilder()
                .withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer().endSpec()
                .withNewStatus().withPodIP(ip).addNewPodIP().withIp(ip).endPodIP().endStatus()
                .build();
        Pod created = client.pods().inNamespace(ns).resource(pod).create();
        if (created.getStatus() == null || created.getStatus().getPodIP() == null) {
            created.setStatus(pod.getStatus());
            created = client.pods().inNamespace(ns).resource(created).updateStatus();
        }
        return created;
    }

    EndpointSlice slice(String ns, String name, String service, List<EndpointPort> ports, List<Endpoint> endpoints) {
        return slice(ns, name, service, "IPv4", ports, endpoints);
    }

    EndpointSlice slice(String ns, String name, String service, String addressType, List<EndpointPort> ports,
            List<Endpoint> endpoints) {
        EndpointSlice slice = new EndpointSliceBuilder()
                .withNewMetadata().withNamespace(ns).withName(name)
                .withLabels(Map.of(EndpointSliceRecord.SERVICE_NAME_LABEL, service)).endMetadata()
                .withAddressType(addressType).withPorts(ports).withEndpoints(endpoints).build();
        return client.discovery().v1().endpointSlices().inNamespace(ns).resource(slice).createOr(r -> r.update());
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
