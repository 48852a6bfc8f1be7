package dev.junction.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void parsesGoDurations() {
        assertThat(Durations.parse("0s")).isEqualTo(Duration.ZERO);
        assertThat(Durations.parse("0")).isEqualTo(Duration.ZERO);
        assertThat(Durations.parse("1s")).isEqualTo(Duration.ofSeconds(1));
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.format(Duration.ofSeconds(30))).isEqualTo("30s");
    }

    @Test
    void rejectsGarbage() {
        assertThatThrownBy(() -> Durations.parse("5")).hasMessageContaining("duration: 5 (expected:");
        assertThatThrownBy(() -> Durations.parse("1s x")).isInstanceOf(IllegalArgumentException.class);
    }
}
