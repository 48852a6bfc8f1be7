package dev.junction.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import org.junit.jupiter.api.Test;

class ServiceChangeTrackerTest {
    private static final ServicePortName WEB = new ServicePortName("default", "web", "http", Protocol.TCP);

    @Test
    void addThenApplyYieldsPorts() {
        ServiceChangeTracker tracker = new ServiceChangeTracker();
        assertThat(tracker.onAdd(Fixtures.service("default", "web", "10.96.0.20", 80))).isTrue();
        ServicePortMap map = ServicePortMap.EMPTY.apply(tracker.checkout());
        assertThat(map.get(WEB)).contains(ServicePortInfo.clusterIP("10.96.0.20", 80, Protocol.TCP));
        assertThat(tracker.hasPending()).isFalse();
    }

    @Test
    void changeThatIsUndoneBeforeSyncIsDropped() {
        ServiceChangeTracker tracker = new ServiceChangeTracker();
        Service v1 = Fixtures.service("default", "web", "10.96.0.20", 80);
        Service v2 = Fixtures.service("default", "web", "10.96.0.20", 8080);
        assertThat(tracker.onUpdate(v1, v2)).isTrue();
        assertThat(tracker.onUpdate(v2, v1)).isFalse();
        assertThat(tracker.checkout()).isEmpty();
    }

    @Test
    void addThenDeleteIsNoChange() {
        ServiceChangeTracker tracker = new ServiceChangeTracker();
        Service svc = Fixtures.service("default", "web", "10.96.0.20", 80);
        tracker.onAdd(svc);
        assertThat(tracker.onDelete(svc)).isFalse();
        assertThat(tracker.checkout()).isEmpty();
    }

    @Test
    void metadataOnlyUpdateIsNoChange() {
        ServiceChangeTracker tracker = new ServiceChangeTracker();
        Service v1 = Fixtures.service("default", "web", "10.96.0.20", 80);
        Service v2 = new ServiceBuilder(v1).editMetadata().addToLabels("app", "x").endMetadata().build();
        assertThat(tracker.onUpdate(v1, v2)).isFalse();
    }

    @Test
    void deleteRemovesPorts() {
        ServiceChangeTracker tracker = new ServiceChangeTracker();
        Service svc = Fixtures.service("default", "web", "10.96.0.20", 80);
        tracker.onAdd(svc);
        ServicePortMap map = ServicePortMap.EMPTY.apply(tracker.checkout());
        tracker.onDelete(svc);
        assertThat(map.apply(tracker.checkout()).ports()).isEmpty();
    }

    @Test
    void headlessAndExternalNameAreNotProxied() {
        Service headless = Fixtures.service("default", "db", "None", 5432);
        Service external = new ServiceBuilder(Fixtures.service("default", "ext", "", 80))
                .editSpec().withType("ExternalName").withExternalName("example.com").endSpec().build();
        ServiceChangeTracker tracker = new ServiceChangeTracker();
        assertThat(tracker.onAdd(headless)).isFalse();
        assertThat(tracker.onAdd(external)).isFalse();
    }

    @Test
    void readsNodePortAffinityAndPolicies() {
        Service svc = new ServiceBuilder(Fixtures.service("default", "web", "10.96.0.20", 80)).editSpec()
                .withType("NodePort").editFirstPort().withNodePort(30080).endPort()
                .withSessionAffinity("ClientIP").withNewSessionAffinityConfig().withNewClientIP().withTimeoutSeconds(60)
                .endClientIP().endSessionAffinityConfig()
                .withExternalTrafficPolicy("Local").endSpec().build();
        ServicePortInfo info = ServicePortInfo.fromService(svc).get(WEB);
        assertThat(info.nodePort()).isEqualTo(30080);
        assertThat(info.sessionAffinity()).isEqualTo(SessionAffinity.clientIp(60));
        assertThat(info.externalTrafficPolicy()).isEqualTo(TrafficPolicy.LOCAL);
        assertThat(info.internalTrafficPolicy()).isEqualTo(TrafficPolicy.CLUSTER);
        assertThat(WEB.toString()).isEqualTo("default/web:http");
    }
}
