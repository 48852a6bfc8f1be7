package dev.junction.ingress;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports {@link IngressProblem}s as core/v1 Events on the Ingress (type Warning, source component
 * {@code junction-ingress-controller}) and in the log, once per distinct problem: the same
 * problem found by every rebuild is not repeated until it disappears and comes back.
 */
final class EventRecorder {
    private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
    static final String COMPONENT = "junction-ingress-controller";

    private final KubernetesClient client;
    private Set<IngressProblem> reported = new HashSet<>();

    EventRecorder(KubernetesClient client) {
        this.client = requireNonNull(client, "client");
    }

    /** Reports the problems of one rebuild that were not reported by the previous one. */
    synchronized void report(Iterable<IngressProblem> problems, java.util.function.Function<String, Ingress> ingresses) {
        Set<IngressProblem> now = new HashSet<>();
        for (IngressProblem p : problems) {
            now.add(p);
            if (reported.contains(p)) {
                continue;
            }
            log.warn("ingress {}: {}: {}", p.ingress(), p.reason(), p.message());
            Ingress ing = ingresses.apply(p.ingress());
            if (ing != null) {
                emit(ing, p);
            }
        }
        reported = now;
    }

    private void emit(Ingress ing, IngressProblem p) {
        String ns = ing.getMetadata().getNamespace();
        String now = Instant.now().toString();
        Event e = new EventBuilder()
                .withNewMetadata().withNamespace(ns)
                .withName(ing.getMetadata().getName() + "." + String.format(Locale.ROOT, "%016x", ThreadLocalRandom.current().nextLong()))
                .endMetadata()
                .withNewInvolvedObject().withApiVersion("networking.k8s.io/v1").withKind("Ingress").withNamespace(ns)
                .withName(ing.getMetadata().getName()).withUid(ing.getMetadata().getUid())
                .withResourceVersion(ing.getMetadata().getResourceVersion()).endInvolvedObject()
                .withReason(p.reason()).withMessage(p.message()).withType("Warning")
                .withNewSource().withComponent(COMPONENT).endSource()
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .build();
        try {
            client.v1().events().inNamespace(ns).resource(e).create();
        } catch (RuntimeException ex) {
            log.debug("cannot record event on {}: {}", p.ingress(), ex.toString());
        }
    }
}
