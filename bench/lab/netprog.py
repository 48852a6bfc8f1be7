#!/usr/bin/env python3
"""Network programming latency in the lab (issue #4), python3 stdlib only.

Usage: netprog.py JUNCTION_HOME SERVICES CHANGES
Needs a running lab (`junction up --proxy-mode MODE`) with the whoami Deployment `netprog-whoami`
(2 replicas) applied. Then:
  1. loads SERVICES selector-less Services `np-<i>` (port 80), each with one EndpointSlice of 10
     endpoints (addresses in 10.250.0.0/16, never contacted), through the API with 8 connections;
  2. creates the selector-less Service `netprog` whose EndpointSlice points at whoami pod A, and
     waits until every node's data path answers with A (so every node has programmed all of the
     above);
  3. CHANGES times: moves the EndpointSlice's single endpoint to the other pod (A <-> B), with
     `endpoints.kubernetes.io/last-change-trigger-time` set to the moment before the request, and
     takes, on every node, the time until a new connection to the ClusterIP from that node's
     network namespace reaches the new pod (a long-lived poller per node, netprog-poll.py). Changes
     are 1.5 s apart, beyond the proxies' default minSyncPeriod (1 s).
Prints every sample and p50/p90/p99/max per node and overall, in ms from before the API request.
The proxies' own kubeproxy_network_programming_duration_seconds (measured from the same
annotation to the end of their sync) are printed from each node's metrics endpoint, and their split
(junction_network_programming_stage_duration_seconds: watch = trigger -> change tracker, queue ->
sync start, snapshot, sync = the proxier) as means and bucket bounds over the CHANGES samples.
"""
import concurrent.futures
import datetime
import http.client
import json
import os
import ssl
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NS = "default"


class Api:
    def __init__(self, home):
        self.ctx = ssl.create_default_context(cafile=os.path.join(home, "pki", "ca.crt"))
        token = None
        with open(os.path.join(home, "kubeconfig")) as f:
            for line in f:
                if line.strip().startswith("token:"):
                    token = line.split(":", 1)[1].strip()
                    break
        self.headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
        self.local = threading.local()

    def conn(self):
        c = getattr(self.local, "c", None)
        if c is None:
            c = http.client.HTTPSConnection("127.0.0.1", 6443, context=self.ctx, timeout=60)
            self.local.c = c
        return c

    def call(self, method, path, body=None, content_type="application/json"):
        headers = dict(self.headers)
        headers["Content-Type"] = content_type
        for attempt in range(3):
            try:
                c = self.conn()
                c.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
                r = c.getresponse()
                data = r.read()
                return r.status, (json.loads(data) if data else {})
            except (OSError, http.client.HTTPException):
                self.local.c = None
                if attempt == 2:
                    raise
        return 0, {}


def service(name):
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": NS},
            "spec": {"ports": [{"name": "http", "port": 80, "targetPort": 80}]}}


def slice_(name, service_name, addresses, trigger=None):
    meta = {"name": name, "namespace": NS, "labels": {"kubernetes.io/service-name": service_name}}
    if trigger:
        meta["annotations"] = {"endpoints.kubernetes.io/last-change-trigger-time": trigger}
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": meta, "addressType": "IPv4",
            "ports": [{"name": "http", "port": 80, "protocol": "TCP"}],
            "endpoints": [{"addresses": [a], "conditions": {"ready": True}} for a in addresses]}


def rfc3339nano(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, max(0, -(-p * len(v) // 100) - 1))]


def load(api, services):
    def one(i):
        s, b = api.call("POST", "/api/v1/namespaces/%s/services" % NS, service("np-%d" % i))
        if s // 100 != 2 and s != 409:
            raise RuntimeError("service np-%d: %s %s" % (i, s, b.get("message")))
        addrs = ["10.250.%d.%d" % ((i * 10 + e) // 250 % 250, (i * 10 + e) % 250 + 1) for e in range(10)]
        s, b = api.call("POST", "/apis/discovery.k8s.io/v1/namespaces/%s/endpointslices" % NS,
                        slice_("np-%d-1" % i, "np-%d" % i, addrs))
        if s // 100 != 2 and s != 409:
            raise RuntimeError("slice np-%d: %s %s" % (i, s, b.get("message")))
    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(one, range(services)))
    print("loaded %d Services + %d EndpointSlices (10 endpoints each) in %.1f s" % (services, services, time.time() - t0),
          flush=True)


def whoami_pods(api):
    deadline = time.time() + 300
    while time.time() < deadline:
        s, b = api.call("GET", "/api/v1/namespaces/%s/pods?labelSelector=app%%3Dnetprog-whoami" % NS)
        pods = [(p["metadata"]["name"], p.get("status", {}).get("podIP")) for p in b.get("items", [])
                if p.get("status", {}).get("phase") == "Running" and p.get("status", {}).get("podIP")
                and not p["metadata"].get("deletionTimestamp")]
        if len(pods) >= 2:
            return sorted(pods)[:2]
        time.sleep(1)
    raise RuntimeError("netprog-whoami pods not running")


def nodes():
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    return sorted(l.split()[0] for l in out.splitlines() if l.startswith("jn-node-"))


def metrics(node):
    r = subprocess.run(["ip", "netns", "exec", node, "curl", "-s", "--max-time", "5", "http://127.0.0.1:10249/metrics"],
                       capture_output=True, text=True)
    lines = [l for l in r.stdout.splitlines() if l.startswith("kubeproxy_network_programming_duration_seconds")]
    count = next((l.split()[-1] for l in lines if "_count" in l), "?")
    total = next((l.split()[-1] for l in lines if "_sum" in l), "?")
    le = {l.split('le="')[1].split('"')[0]: l.split()[-1] for l in lines if 'le="' in l}
    return "count %s sum %s s; <=0.128 s: %s, <=0.25 s: %s, <=0.5 s: %s, <=1 s: %s" % (
        count, total, le.get("0.128", "?"), le.get("0.25", "?"), le.get("0.5", "?"), le.get("1", le.get("1.0", "?")))


def scrape(node):
    r = subprocess.run(["ip", "netns", "exec", node, "curl", "-s", "--max-time", "5", "http://127.0.0.1:10249/metrics"],
                       capture_output=True, text=True)
    return r.stdout


def stage_counts(text):
    """junction_network_programming_stage_duration_seconds: stage -> (sum s, count, {le: cumulative count})."""
    out = {}
    for l in text.splitlines():
        if not l.startswith("junction_network_programming_stage_duration_seconds"):
            continue
        stage = l.split('stage="')[1].split('"')[0]
        s, c, b = out.get(stage, (0.0, 0, {}))
        v = float(l.split()[-1])
        if "_sum" in l:
            s = v
        elif "_count" in l:
            c = int(v)
        else:
            b[l.split('le="')[1].split('"')[0]] = int(v)
        out[stage] = (s, c, b)
    return out


def stages(before, after):
    """Per-stage mean and bucket-bounded p50/p99 of the samples between two scrapes."""
    b, a = stage_counts(before), stage_counts(after)
    parts = []
    for stage in ("watch", "queue", "snapshot", "sync"):
        if stage not in a:
            return "no stage metrics"
        s0, c0, k0 = b.get(stage, (0.0, 0, {}))
        s1, c1, k1 = a[stage]
        n = c1 - c0
        if n <= 0:
            return "no samples"
        def bound(p):
            need = -(-p * n // 100)
            for le, v in sorted(((float(le) if le != "+Inf" else float("inf")), v) for le, v in k1.items()):
                if v - k0.get(("%g" % le) if le != float("inf") else "+Inf", 0) >= need:
                    return "<=%g ms" % (le * 1000) if le != float("inf") else ">300 s"
            return "?"
        parts.append("%s mean %.1f ms (p50 %s, p99 %s)" % (stage, (s1 - s0) / n * 1000, bound(50), bound(99)))
    return "; ".join(parts)


def main():
    home, services, changes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    api = Api(home)
    (name_a, ip_a), (name_b, ip_b) = whoami_pods(api)
    print("whoami pods: A %s %s, B %s %s" % (name_a, ip_a, name_b, ip_b), flush=True)
    load(api, services)
    s, b = api.call("POST", "/api/v1/namespaces/%s/services" % NS, service("netprog"))
    if s // 100 != 2:
        raise RuntimeError("service netprog: %s %s" % (s, b))
    cluster_ip = b["spec"]["clusterIP"]
    api.call("POST", "/apis/discovery.k8s.io/v1/namespaces/%s/endpointslices" % NS,
             slice_("netprog-1", "netprog", [ip_a]))
    node_list = nodes()
    pollers = {}
    for n in node_list:
        p = subprocess.Popen(["ip", "netns", "exec", n, "python3", os.path.join(HERE, "netprog-poll.py"), cluster_ip, "80"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        assert p.stdout.readline().strip() == "ready"
        pollers[n] = p
    t0 = time.time()
    for n, p in pollers.items():
        p.stdin.write(name_a + "\n")
    for n, p in pollers.items():
        p.stdout.readline()
    print("every node (%s) reaches netprog -> A: %.1f s after the last Service was created" % (
        ", ".join(node_list), time.time() - t0), flush=True)
    before = {n: metrics(n) for n in node_list}
    raw_before = {n: scrape(n) for n in node_list}
    samples = {n: [] for n in node_list}
    api_ms = []
    targets = [(name_b, ip_b), (name_a, ip_a)]
    for k in range(changes):
        name, ip = targets[k % 2]
        time.sleep(1.5)
        start = time.time()
        s, b = api.call("PATCH", "/apis/discovery.k8s.io/v1/namespaces/%s/endpointslices/netprog-1" % NS,
                        {"metadata": {"annotations": {"endpoints.kubernetes.io/last-change-trigger-time": rfc3339nano(start)}},
                         "endpoints": [{"addresses": [ip], "conditions": {"ready": True}}]},
                        content_type="application/merge-patch+json")
        if s // 100 != 2:
            raise RuntimeError("patch: %s %s" % (s, b))
        api_ms.append((time.time() - start) * 1000)
        for p in pollers.values():
            p.stdin.write(name + "\n")
        row = []
        for n, p in pollers.items():
            t, tries = p.stdout.readline().split()
            ms = float(t) - start * 1000
            samples[n].append(ms)
            row.append("%s %.1f ms" % (n, ms))
        print("change %d -> %s: %s (PATCH answered after %.1f ms)" % (k + 1, name, ", ".join(row), api_ms[-1]), flush=True)
    for p in pollers.values():
        p.stdin.close()
        p.wait()
    every = []
    for n in node_list:
        v = samples[n]
        every += v
        print("%s: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms (%d changes)" % (
            n, pct(v, 50), pct(v, 90), pct(v, 99), max(v), len(v)))
    print("RESULT netprog services=%d changes=%d samples=%d p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f" % (
        services, changes, len(every), pct(every, 50), pct(every, 90), pct(every, 99), max(every)))
    print("API PATCH round trip: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms" % (
        pct(api_ms, 50), pct(api_ms, 90), pct(api_ms, 99), max(api_ms)))
    for n in node_list:
        print("%s kubeproxy_network_programming_duration_seconds before: %s" % (n, before[n]))
        print("%s kubeproxy_network_programming_duration_seconds after:  %s" % (n, metrics(n)))
        print("%s stages: %s" % (n, stages(raw_before[n], scrape(n))))


if __name__ == "__main__":
    main()
