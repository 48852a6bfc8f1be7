#!/usr/bin/env bash
# Usage: bench/ingress/floor.sh [seconds=5] [rounds=3] [conns...=64 256]
#   Where #6's "≥ 1.2× nginx's requests/s" sits on this machine. The same loopback nginx "ok"
#   backend behind four proxies, each with one worker thread, wrk through
#   ../shared/bench/http-proxy.sh, targets interleaved round by round:
#     nginx      the peer: nginx reverse proxy, keep-alive upstream (../shared/bench/servers.sh)
#     haproxy    HAProxy in HTTP mode, http-reuse always (servers.sh)
#     relay      HAProxy in TCP mode (servers.sh): a byte relay that parses nothing, one upstream
#                connection per client connection. It makes the same four socket calls and sends
#                the same four TCP segments per request as an HTTP proxy on keep-alive
#                connections, so its CPU per request is the floor for any userspace proxy here.
#     junction   Junction's ingress data plane (IngressBenchServer, run.sh's JVM flags, 1 event loop)
#   For every run: rps, p99 and the CPU time the proxy's processes used per request (µs), split
#   into user and kernel time (utime/stime of every process and thread). Then, if perf is
#   installed, one more run per target under `perf stat -e raw_syscalls:sys_enter` for the
#   system calls per request (not part of the rps figures: counting slows the traced process).
# Output: FLOOR lines (one per run), MEDIAN lines (per target and connection count, with ratios to
#   nginx) and SYSCALLS lines. Env: JAVA_HOME, JAVA_OPTS (default: run.sh's), JAVA_OPTS2 (adds a
#   second Junction, "junction2", with these flags, e.g. run.sh's plus
#   -Djunction.ingress.leanHttp1=false for the codec path). Ports 18780-18789.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SHARED=${SHARED_BENCH:-$(cd "$ROOT/../shared/bench" && pwd)}
. "$SHARED/lib.sh"; . "$SHARED/servers.sh"; . "$HERE/ingress-lib.sh"
SECS=${1:-5} ROUNDS=${2:-3}; shift $(( $# < 2 ? $# : 2 )); CONNS=("$@"); [ ${#CONNS[@]} -gt 0 ] || CONNS=(64 256)
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA_OPTS=${JAVA_OPTS:-$INGRESS_JAVA_OPTS}
BPORT=18781
for p in 18780 18781 18782 18783 18784 18785 18786 18787 18788; do
  ss -Hltn "sport = :$p" | grep -q . && die "port $p already in use"
done
command -v haproxy >/dev/null || die "haproxy is not installed (apt-get install haproxy)"
mktmp ingress-floor; W=$TMPD

ingress_dependencies "$ROOT" "$W/cp.txt"
CP="$ROOT/ingress/target/test-classes:$ROOT/ingress/target/classes:$(cat "$W/cp.txt")"

start_nginx_backend 127.0.0.1 $BPORT
start_nginx_proxy 127.0.0.1 18780 127.0.0.1:$BPORT; NGINX_PIDS=$(descendants "$LAST_PID" | tr '\n' ' ')
start_haproxy http 127.0.0.1 18782 127.0.0.1:$BPORT; HAPROXY_PIDS=$LAST_PID
start_haproxy tcp 127.0.0.1 18783 127.0.0.1:$BPORT; RELAY_PIDS=$LAST_PID
# start_junction NAME HTTP_PORT TLS_PORT OPTS: IngressBenchServer with one event loop; sets JUNCTION_PID.
start_junction() {
  # shellcheck disable=SC2086
  bg_start "$W/$1.log" "$JAVA_HOME/bin/java" $4 -cp "$CP" dev.junction.ingress.IngressBenchServer \
    127.0.0.1 $BPORT "$2" "$3" 1
  JUNCTION_PID=$LAST_PID
  wait_ready "$W/$1.log" "$JUNCTION_PID"
}
start_junction junction 18784 18785 "$JAVA_OPTS"; JUNCTION1_PID=$JUNCTION_PID
TARGETS=("nginx|18780|$NGINX_PIDS" "haproxy|18782|$HAPROXY_PIDS" "relay|18783|$RELAY_PIDS" "junction|18784|$JUNCTION1_PID")
if [ -n "${JAVA_OPTS2:-}" ]; then
  start_junction junction2 18786 18787 "$JAVA_OPTS2"
  TARGETS+=("junction2|18786|$JUNCTION_PID")
fi
# Warm-up, not recorded: every target, and 20 s for each JVM (C2 compiles for a while under load).
for t in "${TARGETS[@]}"; do
  IFS='|' read -r name port _ <<<"$t"
  s=3; case $name in junction*) s=10;; esac
  for c in 64 256; do wrk -t1 -c$c -d${s}s "http://127.0.0.1:$port/" >/dev/null 2>&1 || true; done
done

HZ=$(getconf CLK_TCK)
for r in $(seq 1 "$ROUNDS"); do
  for c in "${CONNS[@]}"; do
    for t in "${TARGETS[@]}"; do
      IFS='|' read -r name port pids <<<"$t"
      # shellcheck disable=SC2086
      read -r u0 s0 < <(proc_ticks $pids)
      line=$(LABEL=$name "$SHARED/http-proxy.sh" "http://127.0.0.1:$port/" "$SECS" "$c")
      # shellcheck disable=SC2086
      read -r u1 s1 < <(proc_ticks $pids)
      echo "$line" | awk -v du=$((u1 - u0)) -v ds=$((s1 - s0)) -v hz="$HZ" -v secs="$SECS" '/^RESULT/{
        split($0, f, " rps="); split(f[2], x, " "); n = x[1] * secs; if (n <= 0) n = 1;
        us = du * 1e6 / hz / n; ss = ds * 1e6 / hz / n;
        sub(/^RESULT http/, "FLOOR"); printf "%s user_us=%.2f kernel_us=%.2f cpu_us=%.2f\n", $0, us, ss, us + ss}' \
        | tee -a "$W/floor.txt"
    done
  done
done

all=$(grep '^FLOOR' "$W/floor.txt")
med() { result_median "$all" "$@"; }
echo "# medians over $ROUNDS rounds of ${SECS}s; ratios are to nginx"
for c in "${CONNS[@]}"; do
  nr=$(med nginx "$c" rps); nc=$(med nginx "$c" cpu_us)
  for t in "${TARGETS[@]}"; do
    IFS='|' read -r name _ _ <<<"$t"
    r=$(med "$name" "$c" rps); cu=$(med "$name" "$c" cpu_us)
    echo "MEDIAN $name conns=$c rps=$r p99_ms=$(med "$name" "$c" p99_ms) user_us=$(med "$name" "$c" user_us)" \
      "kernel_us=$(med "$name" "$c" kernel_us) cpu_us=$cu rps_ratio=$(ratio "$r" "$nr") cpu_ratio=$(ratio "$cu" "$nc")"
  done
done

if command -v perf >/dev/null && perf stat -e raw_syscalls:sys_enter -o /dev/null true 2>/dev/null; then
  for t in "${TARGETS[@]}"; do
    IFS='|' read -r name port pids <<<"$t"
    perf stat -x, -e raw_syscalls:sys_enter -p "$(echo $pids | tr ' ' ,)" -o "$W/perf-$name.txt" -- sleep $((SECS + 1)) &
    pp=$!
    sleep 0.5
    n=$(wrk -t1 -c64 -d${SECS}s "http://127.0.0.1:$port/" | awk '/requests in/{print $1}')
    wait "$pp" || true
    calls=$(awk -F, '/raw_syscalls/{print $1}' "$W/perf-$name.txt")
    awk -v l="$name" -v c="$calls" -v n="$n" 'BEGIN{printf "SYSCALLS %s conns=64 requests=%d syscalls=%d per_request=%.2f\n", l, n, c, (n > 0 ? c / n : 0)}'
  done
else
  log "perf with tracepoints not available: no SYSCALLS lines"
fi
uptime
