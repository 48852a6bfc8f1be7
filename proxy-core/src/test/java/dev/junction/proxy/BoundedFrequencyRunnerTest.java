package dev.junction.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BoundedFrequencyRunnerTest {

    @Test
    void burstOfTwoThenRequestsCoalesceUntilATokenRefills() {
        AtomicInteger runs = new AtomicInteger();
        try (BoundedFrequencyRunner runner = new BoundedFrequencyRunner("test", runs::incrementAndGet,
                Duration.ofHours(1), Duration.ofHours(2), 2)) {
            runner.run();
            await().untilAsserted(() -> assertThat(runs).hasValue(1));
            runner.run();
            await().untilAsserted(() -> assertThat(runs).hasValue(2));
            runner.run();
            runner.run();
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                    .untilAsserted(() -> assertThat(runs).as("burst spent, minSyncPeriod 1h").hasValue(2));
        }
    }

    @Test
    void zeroMinIntervalMeansEveryRequestRuns() {
        AtomicInteger runs = new AtomicInteger();
        try (BoundedFrequencyRunner runner = new BoundedFrequencyRunner("test", runs::incrementAndGet,
                Duration.ZERO, Duration.ofHours(1), 2)) {
            for (int i = 1; i <= 5; i++) {
                runner.run();
                int expected = i;
                await().untilAsserted(() -> assertThat(runs).hasValue(expected));
            }
        }
    }

    @Test
    void runsPeriodicallyWithoutRequests() {
        AtomicInteger runs = new AtomicInteger();
        BoundedFrequencyRunner runner = new BoundedFrequencyRunner("test", runs::incrementAndGet,
                Duration.ZERO, Duration.ofMillis(50), 2);
        try {
            await().untilAsserted(() -> assertThat(runs.get()).isGreaterThanOrEqualTo(3));
        } finally {
            runner.close();
        }
    }

    @Test
    void failedRunIsRetried() {
        AtomicInteger runs = new AtomicInteger();
        try (BoundedFrequencyRunner runner = new BoundedFrequencyRunner("test", () -> {
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("first sync fails");
            }
        }, Duration.ZERO, Duration.ofHours(1), 2)) {
            runner.run();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(runs).hasValue(2));
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> new BoundedFrequencyRunner("x", () -> { }, Duration.ofSeconds(-1), Duration.ofSeconds(1), 2))
                .hasMessage("minInterval: PT-1S (expected: >= 0)");
        assertThatThrownBy(() -> new BoundedFrequencyRunner("x", () -> { }, Duration.ZERO, Duration.ofSeconds(1), 0))
                .hasMessage("burst: 0 (expected: >= 1)");
    }
}
