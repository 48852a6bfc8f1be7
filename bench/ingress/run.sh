#!/usr/bin/env bash
# Usage: bench/ingress/run.sh [seconds=10] [rounds=3]
#   Junction's ingress controller vs nginx, both in front of the same loopback backend, in one run.
#   1. HTTP: the peer stack of ../shared/bench (servers.sh: nginx backend :18381 returning "ok",
#      nginx reverse proxy :18380 with keep-alive upstream) and Junction (:18390, one catch-all
#      Ingress -> a Service whose endpoint is that backend), wrk through ../shared/bench/http-proxy.sh
#      at 64 and 256 connections, targets interleaved round by round. (http-peers.sh does the same
#      on fixed ports 18080-18083; PEERS=1 uses it instead when those ports are free.)
#   2. HTTPS (TLS 1.3, keep-alive): an nginx TLS proxy (:18393, config written here) vs Junction's
#      TLS port (:18391) through http-proxy.sh at 64 and 256 connections.
#   3. New TLS handshakes per second: the same with "Connection: close" on every request (64 conns;
#      wrk resumes its TLS session, so these are mostly resumptions). 3b. Full handshakes per
#      second: FULL_CLIENTS (4) parallel `openssl s_time -new` clients, which never resume.
#   4. RSS of the Junction JVM and of the nginx proxy (master + worker) after the load.
#   Junction runs from the test classpath (dev.junction.ingress.IngressBenchServer: fabric8 mock API
#   server + controller). Env: PROXY_WORKERS (1) = nginx worker_processes = Junction event loops,
#   JAVA_HOME, JAVA_OPTS (default $HEAP_OPTS + "-Dio.netty.leakDetection.level=disabled" + $NETTY_OPTS
#   below; the GC log goes to the run's temp dir and its pauses are summarised at the end),
#   PEERS=1 (use http-peers.sh for part 1).
# Output: RESULT lines (each with cpu_ms_per_kreq: CPU time of the proxy's processes per 1000
#   requests, all JVM threads included, which unlike rps does not depend on the share of the 2
#   shared cores the scheduler gave each proxy), then "RATIO" lines (Junction / nginx, medians).
# Tuning that matters (see ingress/README.md "Benchmark"): Netty's Unsafe on Java 25 (NETTY_OPTS),
#   BoringSSL via netty-tcnative for TLS, 320 idle upstream connections per event loop (64 made
#   3/4 of the 256-connection load reconnect per request), bodyless requests bypassing the
#   aggregator, no per-request header copy. bench/ingress/profile.sh gives a JFR profile.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SHARED=${SHARED_BENCH:-$(cd "$ROOT/../shared/bench" && pwd)}
. "$SHARED/lib.sh"; . "$SHARED/servers.sh"; . "$HERE/ingress-lib.sh"
SECS=${1:-10} ROUNDS=${2:-3}
JPORT=${JUNCTION_PORT:-18390} JTLS=${JUNCTION_TLS_PORT:-18391} NTLS=${NGINX_TLS_PORT:-18393}
NPORT=${NGINX_PORT:-18380} BPORT=${BACKEND_PORT:-18381}
WORKERS=${PROXY_WORKERS:-1}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
# NETTY_OPTS: Netty's Unsafe, direct memory and native access on Java 25 (ingress-lib.sh).
NETTY_OPTS=$INGRESS_NETTY_OPTS
# Heap: 256 MB, ParallelGC with one thread (young pauses ~1-3 ms, few of them). HEAP_OPTS="-Xms96m
# -Xmx96m -Xmn32m -XX:+UseSerialGC -XX:+UseCompactObjectHeaders -XX:MetaspaceSize=64m" cuts RSS
# from ~265 to ~215 MB but, on 2026-11-22, paid 145 young GCs (8 ms mean, 207 ms max under load
# 20) per A/B run and 1.1-1.5x the CPU per request of this default in 2 of 3 rounds (ab.sh); see
# ingress/README.md "Benchmark".
HEAP_OPTS=${HEAP_OPTS:-"-Xms256m -Xmx256m -XX:+UseParallelGC -XX:ParallelGCThreads=1"}
JAVA_OPTS=${JAVA_OPTS:-"$HEAP_OPTS -Dio.netty.leakDetection.level=disabled $NETTY_OPTS"}
[ -n "${PEERS:-}" ] && BPORT=18081
for p in $JPORT $JTLS $NTLS $NPORT $BPORT; do ss -Hltn "sport = :$p" | grep -q . && die "port $p already in use"; done
mktmp ingress-bench; W=$TMPD

log "building the ingress module's test classpath"
ingress_dependencies "$ROOT" "$W/cp.txt"
CP="$ROOT/ingress/target/test-classes:$ROOT/ingress/target/classes:$(cat "$W/cp.txt")"
# shellcheck disable=SC2086
bg_start "$W/junction.log" "$JAVA_HOME/bin/java" $JAVA_OPTS "-Xlog:gc:file=$W/gc.log" -cp "$CP" dev.junction.ingress.IngressBenchServer \
  127.0.0.1 "$BPORT" $JPORT $JTLS "$WORKERS"
JPID=$LAST_PID
wait_ready "$W/junction.log" "$JPID"
log "junction ingress pid=$JPID $(grep '^READY' "$W/junction.log")"

rss_kb() { local t=0 p; for p in "$@"; do t=$((t + $(awk '/^VmRSS/{print $2}' "/proc/$p/status" 2>/dev/null || echo 0))); done; echo $t; }
# load LABEL "PIDS" URL CONNS: one http-proxy.sh run, its RESULT line extended with the CPU the
# proxy's processes used per 1000 requests (cpu_ms_per_kreq): unlike rps on this shared machine,
# that does not depend on how much CPU the scheduler happened to give the proxy.
load() {
  local label=$1 pids=$2 url=$3 c=$4 t0 t1 line
  # shellcheck disable=SC2086
  t0=$(cpu_ticks $pids)
  line=$(LABEL=$label "$SHARED/http-proxy.sh" "$url" "$SECS" "$c")
  # shellcheck disable=SC2086
  t1=$(cpu_ticks $pids)
  echo "$line" | awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v s="$SECS" '/^RESULT/{
    split($0, f, " rps="); split(f[2], r, " "); n = r[1] * s;
    printf "%s cpu_ms_per_kreq=%.1f\n", $0, (n > 0 ? d * 1000 / hz / n * 1000 : 0); next} {print}'
}

# 1. HTTP
if [ -n "${PEERS:-}" ]; then
  # http-peers.sh starts and stops its own backend (:18081) and nginx proxy (:18080).
  for c in 64 256; do
    "$SHARED/http-peers.sh" "$SECS" "$c" "$ROUNDS" "nginx url=http://127.0.0.1:$JPORT/" \
      | sed "s# label=url=http://127.0.0.1:$JPORT/ # label=junction #; s# target=url=http://127.0.0.1:$JPORT/ # target=junction #" \
      | tee -a "$W/http.txt"
  done
  start_nginx_backend 127.0.0.1 "$BPORT"
else
  start_nginx_backend 127.0.0.1 "$BPORT"
  start_nginx_proxy 127.0.0.1 "$NPORT" "127.0.0.1:$BPORT"
  NHPIDS=$(descendants "$LAST_PID" | tr '\n' ' ')
  wrk -t1 -c64 -d5s "http://127.0.0.1:$NPORT/" >/dev/null 2>&1 || true
  # JIT warm-up: C2 keeps compiling for ~20 s of load on this busy machine (its CPU would count in
  # cpu_ms_per_kreq and slow the first round).
  wrk -t1 -c64 -d10s "http://127.0.0.1:$JPORT/" >/dev/null 2>&1 || true
  wrk -t1 -c256 -d10s "http://127.0.0.1:$JPORT/" >/dev/null 2>&1 || true
  for r in $(seq 1 "$ROUNDS"); do
    for c in 64 256; do
      load nginx "$NHPIDS" "http://127.0.0.1:$NPORT/" "$c" | tee -a "$W/http.txt"
      load junction "$JPID" "http://127.0.0.1:$JPORT/" "$c" | tee -a "$W/http.txt"
    done
  done
fi
JRSS_HTTP=$(rss_kb "$JPID")

# 2.+3. HTTPS: nginx TLS proxy in front of the same backend
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -subj /CN=bench.local \
  -keyout "$W/tls.key" -out "$W/tls.crt" 2>/dev/null
mkdir -p "$W/ngx"
cat >"$W/ngx/nginx.conf" <<EOC
worker_processes $WORKERS;
error_log $W/ngx/error.log warn;
pid $W/ngx/nginx.pid;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 10000000;
  client_body_temp_path $W/ngx/body; proxy_temp_path $W/ngx/proxy; fastcgi_temp_path $W/ngx/fcgi;
  uwsgi_temp_path $W/ngx/uwsgi; scgi_temp_path $W/ngx/scgi;
  upstream be { server 127.0.0.1:$BPORT; keepalive 512; keepalive_requests 10000000; }
  server {
    listen 127.0.0.1:$NTLS ssl backlog=4096;
    ssl_certificate $W/tls.crt; ssl_certificate_key $W/tls.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache off; ssl_session_tickets off;
    location / { proxy_pass http://be; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
EOC
bg_start "$W/ngx/stdout.log" nginx -p "$W/ngx" -c "$W/ngx/nginx.conf" -g 'daemon off;'
NPID=$LAST_PID
wait_port 127.0.0.1 $NTLS tcp 10
NTPIDS=$(descendants "$NPID" | tr '\n' ' ')
# warm-up (not recorded)
# (the JVM also needs its TLS handshake path compiled: 256 cold JDK handshakes at once stall it)
for u in "https://127.0.0.1:$NTLS/" "https://127.0.0.1:$JTLS/"; do
  wrk -t1 -c64 -d5s -H Connection:close "$u" >/dev/null 2>&1 || true
  wrk -t1 -c256 -d5s "$u" >/dev/null 2>&1 || true
done
for r in $(seq 1 "$ROUNDS"); do
  for c in 64 256; do
    load nginx-https "$NTPIDS" "https://127.0.0.1:$NTLS/" "$c" | tee -a "$W/https.txt"
    load junction-https "$JPID" "https://127.0.0.1:$JTLS/" "$c" | tee -a "$W/https.txt"
  done
  WRK_EXTRA="-H Connection:close" load nginx-handshake "$NTPIDS" "https://127.0.0.1:$NTLS/" 64 | tee -a "$W/https.txt"
  WRK_EXTRA="-H Connection:close" load junction-handshake "$JPID" "https://127.0.0.1:$JTLS/" 64 | tee -a "$W/https.txt"
done
# 3b. Full handshakes only. wrk keeps its TLS session across reconnects, so most of part 3's
# handshakes are resumptions; `openssl s_time -new` never resumes. FULL_CLIENTS (4) s_time
# processes in parallel per target, a round each; FULL_CLIENTS=0 skips this part.
# full LABEL "PIDS" PORT: one RESULT line, rps = full handshakes per second (every client's count
# over its real seconds, summed), cpu_ms_per_kreq = the proxy's CPU per 1000 handshakes.
full() {
  local label=$1 pids=$2 port=$3 t0 t1 i clients=()
  # shellcheck disable=SC2086
  t0=$(cpu_ticks $pids)
  for i in $(seq 1 "$FULL_CLIENTS"); do
    timeout $((SECS + 15)) openssl s_time -connect "127.0.0.1:$port" -new -time "$SECS" >"$W/s_time-$i.txt" 2>&1 &
    clients+=($!)
  done
  wait "${clients[@]}" || true
  # shellcheck disable=SC2086
  t1=$(cpu_ticks $pids)
  cat "$W"/s_time-*.txt | awk -v l="$label" -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v c="$FULL_CLIENTS" '
    /connections in [0-9.]+ real seconds/ {n += $1; r += $1 / $4}
    END {printf "RESULT full-handshake label=%s conns=%d rps=%.1f cpu_ms_per_kreq=%.1f\n", l, c, r,
      (n > 0 ? d * 1000 / hz / n * 1000 : 0)}'
  rm -f "$W"/s_time-*.txt
}
FULL_CLIENTS=${FULL_CLIENTS:-4}
if [ "$FULL_CLIENTS" -gt 0 ]; then
  for r in $(seq 1 "$ROUNDS"); do
    full nginx-full "$NTPIDS" "$NTLS" | tee -a "$W/https.txt"
    full junction-full "$JPID" "$JTLS" | tee -a "$W/https.txt"
  done
fi
JRSS=$(rss_kb "$JPID")
NRSS=$(rss_kb $(descendants "$NPID"))

# Summary: medians per label and connection count, ratios Junction / nginx.
all=$(cat "$W/http.txt" "$W/https.txt" | grep '^RESULT')
med() { result_median "$all" "$@"; }
echo "# medians over $ROUNDS rounds of ${SECS}s, PROXY_WORKERS=$WORKERS"
for spec in "http|junction|nginx|64" "http|junction|nginx|256" \
            "https|junction-https|nginx-https|64" "https|junction-https|nginx-https|256" \
            "tls-handshakes|junction-handshake|nginx-handshake|64" "full-handshakes|junction-full|nginx-full|$FULL_CLIENTS"; do
  IFS='|' read -r name j n c <<<"$spec"
  jr=$(med "$j" "$c" rps); nr=$(med "$n" "$c" rps); jp=$(med "$j" "$c" p99_ms); np=$(med "$n" "$c" p99_ms)
  jc=$(med "$j" "$c" cpu_ms_per_kreq); nc=$(med "$n" "$c" cpu_ms_per_kreq)
  echo "RATIO $name conns=$c junction_rps=$jr nginx_rps=$nr rps_ratio=$(ratio "$jr" "$nr") junction_p99_ms=$jp nginx_p99_ms=$np p99_ratio=$(ratio "$jp" "$np") junction_cpu_ms_per_kreq=$jc nginx_cpu_ms_per_kreq=$nc cpu_ratio=$(ratio "$jc" "$nc")"
done
echo "RSS junction_kb_after_http=$JRSS_HTTP junction_kb_after_https=$JRSS nginx_proxy_kb=$NRSS"
awk '/Pause/{ms=$NF; sub(/ms$/,"",ms); if ($0 ~ /Pause Full/) {f++; fm+=ms} else {y++; ym+=ms; if (ms+0>mx) mx=ms+0}}
  END{printf "GC junction young=%d young_ms_total=%.0f young_ms_max=%.1f full=%d full_ms_total=%.0f\n", y, ym, mx, f, fm}' "$W/gc.log"
