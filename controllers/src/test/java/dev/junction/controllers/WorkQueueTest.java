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

    @Test
    void delayedAddsOfOneKeyKeepOnlyTheEarliestTime() throws Exception {
        WorkQueue queue = new WorkQueue("t", Duration.ofSeconds(1));
        queue.addAfter("k", Duration.ofSeconds(30));
        queue.addAfter("k", Duration.ofSeconds(60)); // later than the pending one: dropped
        assertThat(queue.waitingForDelay()).isEqualTo(1);
        queue.addAfter("k", Duration.ofMillis(50)); // sooner: replaces the 30-s wait
        assertThat(queue.waitingForDelay()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> queue.length() == 1);
        assertThat(queue.waitingForDelay()).isZero();
        assertThat(queue.take()).hasValue("k");
        queue.done("k");
        assertThat(queue.adds()).isEqualTo(1); // the replaced 30-s and dropped 60-s waits never fire

        for (int i = 0; i < 1000; i++) { // a burst of delayed adds of one key: one timer, one add
            queue.addAfter("burst", Duration.ofMillis(100 + i));
        }
        assertThat(queue.waitingForDelay()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> queue.length() == 1);
        assertThat(queue.take()).hasValue("burst");
        assertThat(queue.adds()).isEqualTo(2);
        queue.shutDown();
        assertThat(queue.waitingForDelay()).isZero();
    }
}
