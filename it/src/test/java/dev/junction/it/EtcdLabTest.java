package dev.junction.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.common.CommandResult;
import dev.junction.testing.RequiresRoot;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 5's etcd acceptance in the lab: {@code junction up --storage-backend etcd3 --apiservers 2}
 * runs an etcd member on the control-plane node and two API servers on it (127.0.0.1:6443 and
 * :6444 on the host); controllers write through the first while the node agents and proxies list and
 * watch through the second, so a working lab already needs both to see every write. The test then
 * checks directly that a write through one server reaches a watch on the other (both directions),
 * that a conflicting update through the other server gets 409, and that SIGKILLing an API server
 * loses nothing acknowledged.
 */
@RequiresRoot(commands = {"iptables-restore", "nsenter", "unshare", "curl", "etcd"})
class EtcdLabTest {

    @Test
    void twoApiServersOnOneEtcdSeeEachOthersWritesAndWatchEvents() throws Exception {
        Lab.junction(Duration.ofSeconds(120), "down");
        try {
            CommandResult up = Lab.junction(Duration.ofSeconds(400), "up", "--storage-backend", "etcd3", "--apiservers", "2",
                    "-f", Lab.seeds("01-my-nginx.yaml").toString());
            assertThat(up.exitCode()).as("up: %s", up.stderr()).isZero();
            assertThat(Lab.exec("curl", "curl", "-s", "-m", "5", "http://my-nginx").stdout()).contains("Welcome to nginx!");
            try (KubernetesClient first = Lab.client(); KubernetesClient second = secondApiServer()) {
                crossServerWatch("one-to-two", first, second);
                crossServerWatch("two-to-one", second, first);
                conflictAcrossServers(first, second);
                killedApiServerLosesNothing(first, second);
            }
        } finally {
            assertThat(Lab.junction(Duration.ofSeconds(120), "down").exitCode()).isZero();
        }
    }

    /** A client of the second API server: the admin kubeconfig with port 6444. */
    private static KubernetesClient secondApiServer() throws Exception {
        Config config = Config.fromKubeconfig(Files.readString(Lab.HOME.resolve("kubeconfig")));
        config.setMasterUrl("https://127.0.0.1:6444");
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private static void crossServerWatch(String name, KubernetesClient writer, KubernetesClient watcher) throws Exception {
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        try (Watch watch = watcher.services().inNamespace("default").withName(name).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Service service) {
                events.add(action + " " + service.getMetadata().getResourceVersion() + " " + System.nanoTime());
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            long sent = System.nanoTime();
            Service created = writer.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName(name).endMetadata()
                    .withNewSpec().withSelector(Map.of("app", "none")).addNewPort().withPort(80).endPort().endSpec().build()).create();
            String added = events.poll(10, TimeUnit.SECONDS);
            assertThat(added).as("ADDED through the other API server").isNotNull().startsWith("ADDED " + created.getMetadata().getResourceVersion());
            long ms = (Long.parseLong(added.split(" ")[2]) - sent) / 1_000_000;
            writer.services().inNamespace("default").withName(name).edit(s -> {
                s.getMetadata().setLabels(Map.of("changed", "yes"));
                return s;
            });
            assertThat(events.poll(10, TimeUnit.SECONDS)).as("MODIFIED through the other API server").startsWith("MODIFIED");
            writer.services().inNamespace("default").withName(name).delete();
            assertThat(events.poll(10, TimeUnit.SECONDS)).as("DELETED through the other API server").startsWith("DELETED");
            System.out.printf("REPORT: etcd lab, %s: create through one API server -> ADDED on a watch of the other in %d ms%n", name, ms);
        }
    }

    /** Optimistic concurrency spans both servers: an update with a stale resourceVersion gets 409 Conflict. */
    private static void conflictAcrossServers(KubernetesClient first, KubernetesClient second) {
        Service svc = first.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("conflict").endMetadata()
                .withNewSpec().withSelector(Map.of("app", "none")).addNewPort().withPort(80).endPort().endSpec().build()).create();
        await().atMost(Duration.ofSeconds(10)).until(() -> second.services().inNamespace("default").withName("conflict").get() != null);
        second.services().inNamespace("default").withName("conflict").edit(s -> {
            s.getMetadata().setLabels(Map.of("by", "second"));
            return s;
        });
        svc.getMetadata().setLabels(Map.of("by", "first-stale"));
        var error = org.assertj.core.api.Assertions.catchThrowableOfType(io.fabric8.kubernetes.client.KubernetesClientException.class,
                () -> first.services().inNamespace("default").resource(svc).update());
        assertThat(error).as("stale update through the first server").isNotNull();
        assertThat(error.getCode()).isEqualTo(409);
    }

    /** SIGKILL the first API server while writing through the second; every acknowledged write survives. */
    private static void killedApiServerLosesNothing(KubernetesClient first, KubernetesClient second) throws Exception {
        long pid = Long.parseLong(Files.readString(Lab.HOME.resolve("run/apiserver.pid")).strip());
        List<String> acked = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            if (i == 20) {
                assertThat(Lab.sh("kill", "-KILL", Long.toString(pid)).exitCode()).isZero();
            }
            String name = "durable-" + i;
            second.configMaps().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                    .withNewMetadata().withName(name).endMetadata().withData(Map.of("i", Integer.toString(i))).build()).create();
            acked.add(name);
        }
        // The supervisor restarts the first API server; it rebuilds its cache from etcd.
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
            List<String> seen = first.configMaps().inNamespace("default").list().getItems().stream().map(c -> c.getMetadata().getName()).toList();
            assertThat(seen).containsAll(acked);
        });
        long newPid = Long.parseLong(Files.readString(Lab.HOME.resolve("run/apiserver.pid")).strip());
        assertThat(newPid).as("restarted").isNotEqualTo(pid);
        System.out.printf("REPORT: etcd lab: first API server SIGKILLed after 20 of 40 writes through the second; all %d present through the"
                + " restarted first%n", acked.size());
    }
}
