package dev.junction.proxy.userspace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.proxy.EndpointInfo;
import dev.junction.proxy.SessionAffinity;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoadBalancerTest {
    static final EndpointInfo A = EndpointInfo.ready("10.244.1.1", 80);
    static final EndpointInfo B = EndpointInfo.ready("10.244.1.2", 80);
    static final EndpointInfo C = EndpointInfo.ready("10.244.1.3", 80);
    static final InetAddress VIP = ip("10.96.0.5");

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<EndpointInfo> picks(LoadBalancer lb, int n, String client) {
        List<EndpointInfo> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(lb.next(ip(client), VIP, Set.of()).orElseThrow());
        }
        return out;
    }

    @Test
    void roundRobinCyclesAndSkipsFailedEndpoints() {
        LoadBalancer lb = new LoadBalancer(Scheduler.RR, Clock.systemUTC());
        lb.update(List.of(A, B, C), SessionAffinity.NONE);
        assertThat(picks(lb, 6, "10.0.0.1")).containsExactly(A, B, C, A, B, C);
        assertThat(lb.next(ip("10.0.0.1"), VIP, Set.of(A))).contains(B);
        assertThat(lb.next(ip("10.0.0.1"), VIP, Set.of(C))).contains(A);
        assertThat(lb.next(ip("10.0.0.1"), VIP, Set.of(A, B, C))).as("all failed: any").isPresent();
        lb.update(List.of(), SessionAffinity.NONE);
        assertThat(lb.next(ip("10.0.0.1"), VIP, Set.of())).isEmpty();
    }

    @Test
    void leastConnectionsShortestExpectedDelayAndNeverQueue() {
        for (Scheduler s : List.of(Scheduler.LC, Scheduler.SED, Scheduler.NQ)) {
            LoadBalancer lb = new LoadBalancer(s, Clock.systemUTC());
            lb.update(List.of(A, B, C), SessionAffinity.NONE);
            lb.connected(A);
            lb.connected(A);
            lb.connected(B);
            assertThat(lb.next(ip("10.0.0.1"), VIP, Set.of())).as(s.name()).contains(C);
            lb.connected(C);
            assertThat(lb.next(ip("10.0.0.1"), VIP, Set.of())).as(s.name()).contains(B);
            lb.disconnected(A);
            lb.disconnected(A);
            assertThat(lb.next(ip("10.0.0.1"), VIP, Set.of())).as(s.name()).contains(A);
        }
    }

    @Test
    void sourceHashingPinsEachClientAndDestinationHashingPinsTheService() {
        LoadBalancer sh = new LoadBalancer(Scheduler.SH, Clock.systemUTC());
        sh.update(List.of(A, B, C), SessionAffinity.NONE);
        Set<EndpointInfo> seen = new HashSet<>();
        for (int i = 1; i < 30; i++) {
            List<EndpointInfo> p = picks(sh, 5, "10.0.0." + i);
            assertThat(new HashSet<>(p)).hasSize(1);
            seen.addAll(p);
        }
        assertThat(seen).as("clients spread over endpoints").hasSizeGreaterThan(1);
        LoadBalancer dh = new LoadBalancer(Scheduler.DH, Clock.systemUTC());
        dh.update(List.of(A, B, C), SessionAffinity.NONE);
        assertThat(new HashSet<>(picks(dh, 5, "10.0.0.1"))).isEqualTo(new HashSet<>(picks(dh, 5, "10.0.0.2"))).hasSize(1);
        EndpointInfo pinned = dh.next(ip("10.0.0.1"), VIP, Set.of()).orElseThrow();
        assertThat(dh.next(ip("10.0.0.1"), VIP, Set.of(pinned))).isPresent().get().isNotEqualTo(pinned);
    }

    @Test
    void clientIpAffinityHoldsUntilTimeoutOrFailure() {
        MutableClock clock = new MutableClock();
        LoadBalancer lb = new LoadBalancer(Scheduler.RR, clock);
        lb.update(List.of(A, B, C), SessionAffinity.clientIp(10));
        List<EndpointInfo> p = picks(lb, 10, "10.0.0.1");
        assertThat(new HashSet<>(p)).hasSize(1);
        EndpointInfo first = p.get(0);
        assertThat(lb.next(ip("10.0.0.2"), VIP, Set.of())).isPresent().get().isNotEqualTo(first);
        assertThat(lb.next(ip("10.0.0.1"), VIP, Set.of(first))).isPresent().get().isNotEqualTo(first);
        EndpointInfo second = lb.next(ip("10.0.0.1"), VIP, Set.of()).orElseThrow();
        clock.now = clock.now.plusSeconds(11);
        assertThat(lb.next(ip("10.0.0.1"), VIP, Set.of())).isPresent().get().isNotEqualTo(second);
    }

    @Test
    void parsesSchedulerNames() {
        assertThat(Scheduler.parse("sed")).isEqualTo(Scheduler.SED);
        assertThatThrownBy(() -> Scheduler.parse("wrr")).hasMessage("scheduler: wrr (expected: rr, lc, dh, sh, sed or nq)");
    }

    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
