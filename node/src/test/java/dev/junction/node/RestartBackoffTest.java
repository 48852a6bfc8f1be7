package dev.junction.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestartBackoffTest {

    @Test
    void doublesFromTenSecondsToFiveMinutes() {
        assertThat(RestartBackoff.delay(0)).isEqualTo(Duration.ofSeconds(10));
        assertThat(RestartBackoff.delay(1)).isEqualTo(Duration.ofSeconds(20));
        assertThat(RestartBackoff.delay(4)).isEqualTo(Duration.ofSeconds(160));
        assertThat(RestartBackoff.delay(5)).isEqualTo(Duration.ofMinutes(5));
        assertThat(RestartBackoff.delay(60)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void restartPolicies() {
        assertThat(RestartBackoff.shouldRestart("Always", 0)).isTrue();
        assertThat(RestartBackoff.shouldRestart(null, 0)).isTrue();
        assertThat(RestartBackoff.shouldRestart("OnFailure", 0)).isFalse();
        assertThat(RestartBackoff.shouldRestart("OnFailure", 2)).isTrue();
        assertThat(RestartBackoff.shouldRestart("Never", 2)).isFalse();
    }
}
