#!/usr/bin/env bash
# Usage: bench/ingress/ab.sh OLD_CLASSES_DIR [seconds=8] [rounds=3] [conns...=64]
#   A/B of two builds of the ingress data plane, HTTP keep-alive, interleaved round by round with
#   nginx (1 worker) in front of the same nginx "ok" backend: "old" runs IngressBenchServer with
#   ingress/target/classes replaced by OLD_CLASSES_DIR (e.g. a copy of target/classes made before
#   a change; the test classes come from OLD_CLASSES_DIR/../old-test-classes if present),
#   "new" with the current build; MEM_OPTS set adds a third JVM ("mem": current build, those JVM
#   options). Prints "AB <label> conns=.. rps=.. p99=.. cpu_ms_per_kreq=.. sys_ms_per_kreq=.."
#   (CPU of all the proxy's threads per 1000 requests, and its kernel part), then RSS in kB.
#   Env: OLD_OPTS / NEW_OPTS (JVM options; default as run.sh), MEM_OPTS. Ports 18580-18595.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SHARED=${SHARED_BENCH:-$(cd "$ROOT/../shared/bench" && pwd)}
. "$SHARED/lib.sh"; . "$SHARED/servers.sh"; . "$HERE/ingress-lib.sh"
OLD=$1 SECS=${2:-8} ROUNDS=${3:-3}; shift $(( $# < 3 ? $# : 3 )); CONNS=("$@"); [ ${#CONNS[@]} -gt 0 ] || CONNS=(64)
OLD_TEST=$OLD/../old-test-classes; [ -d "$OLD_TEST" ] || OLD_TEST=$ROOT/ingress/target/test-classes
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
OLD_OPTS=${OLD_OPTS:-$INGRESS_JAVA_OPTS}
NEW_OPTS=${NEW_OPTS:-$OLD_OPTS}
mktmp ingab; W=$TMPD
(cd "$ROOT" && JAVA_HOME=$JAVA_HOME ./mvnw -B -q -o -pl ingress dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$W/cp.txt" >/dev/null)
DEPS=$(cat "$W/cp.txt")
start_nginx_backend 127.0.0.1 18581
start_nginx_proxy 127.0.0.1 18580 127.0.0.1:18581; NP=$(descendants "$LAST_PID" | tr '\n' ' ')
bg_start "$W/old.log" $JAVA_HOME/bin/java $OLD_OPTS -cp "$OLD_TEST:$OLD:$DEPS" dev.junction.ingress.IngressBenchServer 127.0.0.1 18581 18590 18591 1; OP=$LAST_PID
bg_start "$W/new.log" $JAVA_HOME/bin/java $NEW_OPTS -cp "$ROOT/ingress/target/test-classes:$ROOT/ingress/target/classes:$DEPS" dev.junction.ingress.IngressBenchServer 127.0.0.1 18581 18592 18593 1; NWP=$LAST_PID
MP=""
if [ -n "${MEM_OPTS:-}" ]; then bg_start "$W/mem.log" $JAVA_HOME/bin/java $MEM_OPTS -cp "$ROOT/ingress/target/test-classes:$ROOT/ingress/target/classes:$DEPS" dev.junction.ingress.IngressBenchServer 127.0.0.1 18581 18594 18595 1; MP=$LAST_PID; fi
for f in old new ${MP:+mem}; do for _ in $(seq 1 1200); do grep -q '^READY' "$W/$f.log" && break; sleep 0.1; done; done
for p in 18590 18592 ${MP:+18594}; do wrk -t1 -c64 -d12s http://127.0.0.1:$p/ >/dev/null 2>&1; wrk -t1 -c256 -d6s http://127.0.0.1:$p/ >/dev/null 2>&1; done
sys_ticks() { local u s; read -r u s < <(proc_ticks "$@"); echo "$s"; }
one() { local label=$1 pids=$2 url=$3 c=$4 t0 t1 s0 s1
  t0=$(cpu_ticks $pids); s0=$(sys_ticks $pids); out=$(wrk -t1 -c$c -d${SECS}s --latency $url 2>&1); t1=$(cpu_ticks $pids); s1=$(sys_ticks $pids)
  rps=$(echo "$out" | awk '/^Requests\/sec:/{print $2}'); p99=$(echo "$out" | awk '$1=="99%"{print $2}')
  awk -v l=$label -v c=$c -v r=$rps -v p=$p99 -v d=$((t1-t0)) -v s=$SECS -v y=$((s1-s0)) 'BEGIN{printf "AB %s conns=%s rps=%.0f p99=%s cpu_ms_per_kreq=%.1f sys_ms_per_kreq=%.1f\n", l, c, r, p, d*10*1000/(r*s), y*10*1000/(r*s)}'; }
for r in $(seq 1 $ROUNDS); do for c in "${CONNS[@]}"; do
  one nginx "$NP" http://127.0.0.1:18580/ $c; one old "$OP" http://127.0.0.1:18590/ $c; one new "$NWP" http://127.0.0.1:18592/ $c
  [ -n "$MP" ] && one mem "$MP" http://127.0.0.1:18594/ $c
done; done
echo "RSS mem=$([ -n "$MP" ] && awk '/^VmRSS/{print $2}' /proc/$MP/status)"; echo "RSS old=$(awk '/^VmRSS/{print $2}' /proc/$OP/status) new=$(awk '/^VmRSS/{print $2}' /proc/$NWP/status) nginx=$(for p in $NP; do awk '/^VmRSS/{print $2}' /proc/$p/status; done | paste -sd+ | bc)"
uptime
