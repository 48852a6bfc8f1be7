#!/usr/bin/env bash
# Usage: bench/dns/run.sh [seconds=10]
#   Junction's cluster DNS beside NSD, same run, same machine (see dns/README.md "Benchmark"):
#   1) installs dnsperf, nsd, knot and kdig if missing (apt-get);
#   2) serves ../shared/fixtures/dns-10k.yaml (11,000 Services, 1,000 headless, 100 namespaces)
#      from Junction's own API server (apiserver module, SQLite in a temp dir; API=mock: fabric8's
#      mock API server instead) in its own JVM (dev.junction.dns.BenchApi, dns test sources;
#      Endpoints are mirrored to EndpointSlices as the mirroring controller would);
#   3) starts the real `dns` command (DnsServerCommand) on 127.0.0.1:$DNS_PORT against it,
#      reports the time to the first synced answer, warms the JIT up for $WARMUP seconds;
#   4) runs ../shared/bench/dns-qps.sh against it (UDP) and reads its RSS;
#   5) measures how soon PROBES new Services resolve (dev.junction.dns.NewServiceProbe: create
#      through the API -> watch -> index -> UDP answer, 10k Services loaded);
#   6) stops it and the API, then runs ../shared/bench/dns-peers.sh for NSD (UDP);
#   7) prints qps, the Junction/NSD ratio, latency percentiles and RSS.
# Env: DNS_PORT=5354 API_PORT=18443 API=junction|mock WARMUP=15 PROBES=100 PEERS="nsd"
#      RUNS=3 (passed to dns-qps.sh) DNS_JAVA_OPTS (default: the production flags below)
# Only loopback is used; every process started here is stopped by its PID on exit.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SHARED=$(cd "$ROOT/../shared" && pwd)
. "$SHARED/bench/lib.sh"
SECS=${1:-10}
DNS_PORT=${DNS_PORT:-5354} API_PORT=${API_PORT:-18443} WARMUP=${WARMUP:-15} HEAP=${HEAP:-88m}
PEERS=${PEERS:-nsd} API=${API:-junction} PROBES=${PROBES:-100}
export RUNS=${RUNS:-3}
FIX=$SHARED/fixtures
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA=$JAVA_HOME/bin/java

need=()
command -v dnsperf >/dev/null || need+=(dnsperf)
command -v nsd >/dev/null || need+=(nsd)
command -v knotd >/dev/null || need+=(knot)
command -v kdig >/dev/null || need+=(knot-dnsutils)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >&2
fi

cd "$ROOT"
if [ ! -f dns/target/test-classes/dev/junction/dns/BenchApi.class ] || [ "${REBUILD:-0}" = 1 ]; then
  log "building dns (tests skipped)"
  ./mvnw -B -q -o -pl dns install -DskipTests >&2
fi
mktmp junction-dns; T=$TMPD
./mvnw -B -q -o -pl dns dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$T/cp.txt" >&2
CP="$ROOT/dns/target/classes:$ROOT/dns/target/test-classes:$(cat "$T/cp.txt")"

ss -Hlun "sport = :$DNS_PORT" | grep -q . && die "port $DNS_PORT/udp already in use"
log "loading $FIX/dns-10k.yaml into a $API API server on 127.0.0.1:$API_PORT (takes a while)"
api_args=("$API_PORT" "$FIX/dns-10k.yaml")
[ "$API" = junction ] && api_args=(--junction "$T/apidata" "${api_args[@]}")
bg_start "$T/api.log" "$JAVA" -Xmx1g -XX:+UseSerialGC -cp "$CP" dev.junction.dns.BenchApi "${api_args[@]}"
API_PID=$LAST_PID
for _ in $(seq 1 600); do grep -q LOADED "$T/api.log" && break; kill -0 "$API_PID" || die "API server died: $(tail -5 "$T/api.log")"; sleep 1; done
grep -q LOADED "$T/api.log" || die "API server did not load the fixture in 600 s"
log "API: $(grep LOADED "$T/api.log")"

t0=$(date +%s%N)
# The JVM flags recommended for the DNS pod (dns/README.md): small fixed heap, compact headers,
# malloc trimming (the initial list's JSON parsing peaks, then is given back).
DNS_JAVA_OPTS=${DNS_JAVA_OPTS:-"-XX:+UseSerialGC -XX:+UseCompactObjectHeaders -Xms$HEAP -Xmx$HEAP -Xmn16m -XX:TrimNativeHeapInterval=5000 -XX:MaxMetaspaceSize=80m -XX:ReservedCodeCacheSize=40m -Xss512k"}
log "dns JVM: MALLOC_ARENA_MAX=2 java $DNS_JAVA_OPTS"
# shellcheck disable=SC2086
MALLOC_ARENA_MAX=2 bg_start "$T/dns.log" "$JAVA" $DNS_JAVA_OPTS -cp "$CP" dev.junction.dns.DnsServerCommand \
  --server "http://127.0.0.1:$API_PORT" --bind 127.0.0.1 --port "$DNS_PORT" --health-port 0 --resolv-conf none
DNS_PID=$LAST_PID
ready_ms=
for _ in $(seq 1 1200); do
  if kdig +time=1 +retry=0 @127.0.0.1 -p "$DNS_PORT" missing-1.ns-1.svc.cluster.local A 2>/dev/null | grep -q NXDOMAIN; then
    ready_ms=$(( ($(date +%s%N) - t0) / 1000000 )); break
  fi
  kill -0 "$DNS_PID" || die "dns died: $(tail -5 "$T/dns.log")"
  sleep 0.1
done
[ -n "$ready_ms" ] || die "dns not synced within 120 s"
log "junction dns pid=$DNS_PID synced (first NXDOMAIN) after ${ready_ms} ms (JVM start + list of 10k Services/slices)"
echo "RESULT dns-load label=junction startup_to_first_answer_ms=$ready_ms"
log "warming up for ${WARMUP}s"
timeout $((WARMUP + 10)) dnsperf -s 127.0.0.1 -p "$DNS_PORT" -d "$FIX/dns-10k.queries" -c 4 -q 100 -l "$WARMUP" >/dev/null 2>&1 || true
LABEL=junction MODE=udp "$SHARED/bench/dns-qps.sh" 127.0.0.1 "$DNS_PORT" "$FIX/dns-10k.queries" "$SECS" | tee "$T/junction.result"
rss_kb=$(awk '/VmRSS/{print $2}' "/proc/$DNS_PID/status")
hwm_kb=$(awk '/VmHWM/{print $2}' "/proc/$DNS_PID/status")
echo "RESULT dns-rss label=junction rss_mb=$((rss_kb / 1024)) peak_rss_mb=$((hwm_kb / 1024))"
probe=
if [ "$PROBES" -gt 0 ]; then
  log "new Service -> answer, $PROBES creations"
  probe=$("$JAVA" -Xmx256m -XX:+UseSerialGC -cp "$CP" dev.junction.dns.NewServiceProbe "http://127.0.0.1:$API_PORT" "$DNS_PORT" "$PROBES" 2>"$T/probe.log" | grep '^RESULT' || true)
  [ -n "$probe" ] || log "probe failed: $(tail -5 "$T/probe.log")"
  echo "$probe"
fi
stop_tree "$DNS_PID" "$API_PID"

"$SHARED/bench/dns-peers.sh" "$SECS" 5300 "$PEERS" udp | tee "$T/peers.result"

field() { sed -n "s/.*label=$2 .*\b$1=\([^ ]*\).*/\1/p" "$3" | head -1; }
jq=$(field qps_median junction "$T/junction.result")
echo
echo "== Junction DNS vs peers, UDP, 10k Services (same run) =="
printf '%-9s %10s %14s %9s %9s %9s\n' server qps junction/server p50_ms p99_ms p999_ms
for s in junction $PEERS; do
  f=$T/junction.result; [ "$s" = junction ] || f=$T/peers.result
  q=$(field qps_median "$s" "$f")
  ratio=$(awk -v a="$jq" -v b="$q" 'BEGIN{ if (a+0 > 0 && b+0 > 0) printf "%.2f", a/b; else print "NA" }')
  printf '%-9s %10.0f %14s %9s %9s %9s\n' "$s" "${q:-0}" "${ratio}x" "$(field fixed_p50_ms "$s" "$f")" \
    "$(field fixed_p99_ms "$s" "$f")" "$(field fixed_p999_ms "$s" "$f")"
done
echo "ratio = junction qps / peer qps (junction=1.00x); percentiles at a fixed 20,000 qps"
echo "junction RSS after the run: $((rss_kb / 1024)) MB (peak $((hwm_kb / 1024)) MB); startup to first synced answer: ${ready_ms} ms"
[ -z "$probe" ] || echo "new Service resolvable (API $API, 10k Services): ${probe#RESULT dns-new-service }"
echo "load: $(uptime)"
