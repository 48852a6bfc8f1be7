package dev.junction.controllers;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Junction's kube-controller-manager and kube-scheduler: the Deployment, ReplicaSet, EndpointSlice,
 * Endpoints and EndpointSliceMirroring controllers, a small garbage collector and the scheduler, all
 * reading from one set of shared informers (all namespaces) and writing through {@code client}.
 */
public final class Controllers {
    private static final Logger LOG = LoggerFactory.getLogger(Controllers.class);

    private Controllers() {
    }

    /**
     * Starts every controller against {@code client} and returns once the informer caches have synced
     * (at most 60 s). Closing the handle stops the workers and the informers (not the client).
     *
     * @return an {@link AutoCloseable} handle that also renders metrics
     *
     * @throws IllegalStateException when the caches cannot be synced
     */
    public static Running start(KubernetesClient client) {
        requireNonNull(client, "client");
        Informers informers = new Informers(client);
        List<ControllerLoop> loops = new ArrayList<>();
        loops.add(new ReplicaSetController(client, informers).loop);
        loops.add(new DeploymentController(client, informers).loop);
        loops.add(new GarbageCollector(client, informers).loop);
        loops.add(new Scheduler(client, informers).loop);
        loops.add(new EndpointSliceController(client, informers).loop);
        loops.add(new EndpointsController(client, informers).loop);
        loops.add(new EndpointSliceMirroringController(client, informers).loop);
        try {
            informers.factory.startAllRegisteredInformers().get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop(informers, loops);
            throw new IllegalStateException("interrupted while syncing informers", e);
        } catch (ExecutionException | TimeoutException e) {
            stop(informers, loops);
            throw new IllegalStateException("informers did not sync: " + e, e);
        }
        for (ControllerLoop loop : loops) {
            loop.start(loop.name().equals("scheduler") ? 1 : 2);
        }
        LOG.info("controllers started: {}", loops.stream().map(ControllerLoop::name).toList());
        return new Running(informers, List.copyOf(loops));
    }

    /** Handle on the started controllers: {@link #close()} stops them; metrics for {@code /metrics}. */
    public static final class Running implements AutoCloseable {
        private final Informers informers;
        private final List<ControllerLoop> loops;

        private Running(Informers informers, List<ControllerLoop> loops) {
            this.informers = informers;
            this.loops = loops;
        }

        /**
         * Prometheus text exposition (format 0.0.4) of client-go's work-queue metrics, one series per
         * controller: {@code workqueue_depth}, {@code workqueue_adds_total}, {@code workqueue_retries_total}
         * with label {@code name}.
         */
        public String prometheusText() {
            StringBuilder out = new StringBuilder();
            metric(out, "workqueue_depth", "gauge", "Current depth of workqueue", q -> (long) q.length());
            metric(out, "workqueue_adds_total", "counter", "Total number of adds handled by workqueue", WorkQueue::adds);
            metric(out, "workqueue_retries_total", "counter", "Total number of retries handled by workqueue", WorkQueue::retries);
            return out.toString();
        }

        private void metric(StringBuilder out, String name, String type, String help,
                java.util.function.ToLongFunction<WorkQueue> value) {
            out.append("# HELP ").append(name).append(' ').append(help).append('\n');
            out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
            for (ControllerLoop loop : loops) {
                out.append(name).append("{name=\"").append(loop.name()).append("\"} ")
                        .append(value.applyAsLong(loop.queue())).append('\n');
            }
        }

        @Override
        public void close() {
            stop(informers, loops);
        }
    }

    private static void stop(Informers informers, List<ControllerLoop> loops) {
        for (ControllerLoop loop : loops) {
            loop.close();
        }
        informers.factory.stopAllRegisteredInformers();
    }
}
