package dev.junction.dns;

import dev.junction.apiserver.ApiServer;
import dev.junction.common.KubeClients;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Benchmark helper (not a test): serves an API server on 127.0.0.1:PORT loaded with a manifest
 * such as {@code shared/fixtures/dns-10k.yaml}, so that the real {@code dns} command can
 * list/watch it in another JVM: with {@code --junction DATA_DIR}, Junction's own API server
 * (apiserver module, SQLite in DATA_DIR, in this JVM); without it, fabric8's mock API server
 * (CRUD mode). Endpoints objects are turned into
 * EndpointSlices the way the EndpointSlice mirroring controller does (addresses → ready,
 * notReadyAddresses → not ready, hostname kept), because the DNS server consumes EndpointSlices.
 * Prints {@code LOADED <services> <slices>} when done, then serves until killed.
 *
 * <pre>java -cp … dev.junction.dns.BenchApi [--junction DATA_DIR] PORT MANIFEST</pre>
 */
public final class BenchApi {
    private BenchApi() {
    }

    public static void main(String[] args) throws Exception {
        boolean junction = args[0].equals("--junction");
        int first = junction ? 2 : 0;
        int port = Integer.parseInt(args[first]);
        Path manifest = Path.of(args[first + 1]);
        KubernetesClient client;
        if (junction) {
            ApiServer server = ApiServer.builder().dataDir(Path.of(args[1])).bindAddress("127.0.0.1").port(port)
                    .advertiseAddress("127.0.0.1").build().start();
            client = KubeClients.create(Optional.of(server.url()), Optional.empty());
        } else {
            client = new MockApi(port).client;
        }
        List<HasMetadata> items;
        try (InputStream in = Files.newInputStream(manifest)) {
            items = client.load(in).items();
        }
        List<HasMetadata> ordered = new ArrayList<>();
        items.stream().filter(Namespace.class::isInstance).forEach(ordered::add);
        items.stream().filter(Service.class::isInstance).forEach(ordered::add);
        int slices = 0;
        for (HasMetadata item : items) {
            if (item instanceof Endpoints e) {
                ordered.add(mirror(e));
                slices++;
            }
        }
        // Namespaces first and synchronously (a real API server refuses objects in a missing one).
        for (HasMetadata item : items) {
            if (item instanceof Namespace) {
                client.resource(item).create();
            }
        }
        ordered.removeIf(Namespace.class::isInstance);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (HasMetadata item : ordered) {
            done.add(pool.submit(() -> client.resource(item).create()));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        long services = items.stream().filter(Service.class::isInstance).count();
        System.out.println("LOADED " + services + " " + slices);
        System.out.flush();
        Thread.currentThread().join();
    }

    private static EndpointSlice mirror(Endpoints e) {
        List<Endpoint> endpoints = new ArrayList<>();
        List<EndpointPort> ports = new ArrayList<>();
        if (e.getSubsets() != null) {
            for (EndpointSubset s : e.getSubsets()) {
                add(endpoints, s.getAddresses(), true);
                add(endpoints, s.getNotReadyAddresses(), false);
                if (s.getPorts() != null && ports.isEmpty()) {
                    s.getPorts().forEach(p -> ports.add(new EndpointPortBuilder().withName(p.getName())
                            .withPort(p.getPort()).withProtocol(p.getProtocol()).build()));
                }
            }
        }
        return new EndpointSliceBuilder()
                .withNewMetadata().withNamespace(e.getMetadata().getNamespace()).withName(e.getMetadata().getName() + "-mirror")
                .withLabels(Map.of(EndpointSliceRecord.SERVICE_NAME_LABEL, e.getMetadata().getName())).endMetadata()
                .withAddressType("IPv4").withEndpoints(endpoints).withPorts(ports).build();
    }

    private static void add(List<Endpoint> out, List<EndpointAddress> addresses, boolean ready) {
        if (addresses == null) {
            return;
        }
        for (EndpointAddress a : addresses) {
            out.add(new EndpointBuilder().withAddresses(a.getIp()).withHostname(a.getHostname())
                    .withNewConditions().withReady(ready).endConditions().build());
        }
    }
}
