package dev.junction.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ProxyMetricsTest {
    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
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

    @Test
    void unhealthyWhenAQueuedSyncWaitsTooLong() {
        ManualClock clock = new ManualClock();
        ProxyMetrics metrics = new ProxyMetrics(clock, Duration.ofSeconds(60));
        assertThat(metrics.healthy()).isTrue();
        metrics.queued();
        clock.now = clock.now.plusSeconds(61);
        assertThat(metrics.healthy()).isFalse();
        metrics.synced(Duration.ofMillis(5), clock.millis() - 3000);
        assertThat(metrics.healthy()).isTrue();
        metrics.failed(Duration.ofMillis(5));
        assertThat(metrics.render()).contains("kubeproxy_sync_proxy_rules_iptables_restore_failures_total 1\n",
                "kubeproxy_sync_proxy_rules_duration_seconds_count 2\n",
                "kubeproxy_sync_proxy_rules_last_timestamp_seconds 1767225661\n",
                "junction_sync_proxy_rules_last_snapshot_timestamp_seconds 1767225658\n");
    }

    @Test
    void networkProgrammingLatencyIsAHistogramUnderTheUpstreamName() {
        ProxyMetrics metrics = new ProxyMetrics(new ManualClock(), Duration.ofSeconds(60));
        metrics.networkProgrammed(Duration.ofMillis(30));
        metrics.networkProgrammed(Duration.ofMillis(300));
        metrics.networkProgrammed(Duration.ofSeconds(-1));
        String text = metrics.render();
        assertThat(text).contains("# TYPE kubeproxy_network_programming_duration_seconds histogram",
                "kubeproxy_network_programming_duration_seconds_bucket{le=\"0.032\"} 2",
                "kubeproxy_network_programming_duration_seconds_bucket{le=\"0.25\"} 2",
                "kubeproxy_network_programming_duration_seconds_bucket{le=\"0.5\"} 3",
                "kubeproxy_network_programming_duration_seconds_bucket{le=\"300\"} 3",
                "kubeproxy_network_programming_duration_seconds_count 3",
                "kubeproxy_network_programming_duration_seconds_sum 0.33");
        assertThat(metrics.networkProgrammingSamples()).isEqualTo(3);
    }

    @Test
    void networkProgrammingStagesAreOneHistogramPerStage() {
        ProxyMetrics metrics = new ProxyMetrics(new ManualClock(), Duration.ofSeconds(60));
        metrics.networkProgrammingStages(Duration.ofMillis(20), Duration.ofMillis(3), Duration.ZERO, Duration.ofMillis(-5));
        metrics.networkProgrammingStages(Duration.ofMillis(300), Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofMillis(2));
        assertThat(metrics.render()).contains("# TYPE junction_network_programming_stage_duration_seconds histogram",
                "junction_network_programming_stage_duration_seconds_bucket{stage=\"watch\",le=\"0.032\"} 1\n",
                "junction_network_programming_stage_duration_seconds_bucket{stage=\"watch\",le=\"0.5\"} 2\n",
                "junction_network_programming_stage_duration_seconds_sum{stage=\"watch\"} 0.32\n",
                "junction_network_programming_stage_duration_seconds_bucket{stage=\"queue\",le=\"0.001\"} 1\n",
                "junction_network_programming_stage_duration_seconds_bucket{stage=\"sync\",le=\"0.001\"} 1\n",
                "junction_network_programming_stage_duration_seconds_count{stage=\"snapshot\"} 2\n",
                "junction_network_programming_stage_duration_seconds_bucket{stage=\"sync\",le=\"+Inf\"} 2\n");
    }
}
