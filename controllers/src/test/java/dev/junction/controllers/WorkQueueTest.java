package dev.junction.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WorkQueueTest {
    @Test
    void deduplicatesAndRequeuesKeysAddedWhileProcessing() throws Exception {
        WorkQueue queue = new WorkQueue("t", Duration.ofSeconds(1));
        queue.add("a");
        queue.add("b");
        queue.add("a");
        assertThat(queue.length()).isEqualTo(2);
        assertThat(queue.take()).hasValue("a");
        queue.add("a"); // while processing: held back, not handed to a second worker
        assertThat(queue.take()).hasValue("b");
        assertThat(queue.length()).isZero();
        queue.done("a");
        assertThat(queue.take()).hasValue("a");
        queue.done("a");
        queue.done("b");
        queue.shutDown();
        assertThat(queue.take()).isEmpty();
    }

    @Test
    void rateLimitedRetryComesBackAndForgetResetsBackoff() throws Exception {
        WorkQueue queue = new WorkQueue("t", Duration.ofSeconds(1));
        queue.addRateLimited("k");
        queue.addRateLimited("k");
        assertThat(queue.failures("k")).isEqualTo(2);
        await().atMost(Duration.ofSeconds(2)).until(() -> queue.length() == 1);
        assertThat(queue.take()).hasValue("k");
        queue.forget("k");
        assertThat(queue.failures("k")).isZero();
        queue.shutDown();
    }
}
