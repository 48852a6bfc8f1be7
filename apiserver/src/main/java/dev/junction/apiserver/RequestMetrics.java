package dev.junction.apiserver;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code apiserver_request_total}: requests by verb (GET, LIST, WATCH, POST, PUT, PATCH, DELETE),
 * resource and HTTP code, named and labelled as upstream
 * {@code k8s.io/apiserver/pkg/endpoints/metrics/metrics.go}. Thread-safe.
 */
final class RequestMetrics {
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    /** Counts one request. */
    void record(String verb, String resource, int code) {
        counts.computeIfAbsent("verb=\"" + verb + "\",resource=\"" + resource + "\",code=\"" + code + "\"",
                k -> new LongAdder()).increment();
    }

    /** Appends the Prometheus text exposition. */
    void render(StringBuilder sb) {
        sb.append("# HELP apiserver_request_total Counter of apiserver requests broken out for each verb, resource and HTTP response code.\n");
        sb.append("# TYPE apiserver_request_total counter\n");
        new TreeMap<>(counts).forEach((labels, n) -> sb.append("apiserver_request_total{").append(labels).append("} ")
                .append(n.sum()).append('\n'));
    }
}
