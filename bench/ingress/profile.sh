#!/usr/bin/env bash
# Usage: bench/ingress/profile.sh [seconds=20] [conns=64] [http|https]
#   JFR profile of Junction's ingress under wrk load (same setup as run.sh: nginx "ok" backend on
#   loopback, IngressBenchServer with PROXY_WORKERS event loops). Prints the top frames of
#   jdk.ExecutionSample (self time) and keeps the recording as $OUT (default /tmp/ingress.jfr).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SHARED=${SHARED_BENCH:-$(cd "$ROOT/../shared/bench" && pwd)}
. "$SHARED/lib.sh"; . "$SHARED/servers.sh"; . "$HERE/ingress-lib.sh"
SECS=${1:-20} CONNS=${2:-64} MODE=${3:-http}
JPORT=${JUNCTION_PORT:-18390} JTLS=${JUNCTION_TLS_PORT:-18391} BPORT=${BACKEND_PORT:-18381}
WORKERS=${PROXY_WORKERS:-1} OUT=${OUT:-/tmp/ingress.jfr}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA_OPTS=${JAVA_OPTS:-$INGRESS_JAVA_OPTS}
mktmp ingress-prof; W=$TMPD
ingress_dependencies "$ROOT" "$W/cp.txt"
CP="$ROOT/ingress/target/test-classes:$ROOT/ingress/target/classes:$(cat "$W/cp.txt")"
start_nginx_backend 127.0.0.1 "$BPORT"
# shellcheck disable=SC2086
bg_start "$W/junction.log" "$JAVA_HOME/bin/java" $JAVA_OPTS -cp "$CP" dev.junction.ingress.IngressBenchServer \
  127.0.0.1 "$BPORT" $JPORT $JTLS "$WORKERS"
JPID=$LAST_PID
wait_ready "$W/junction.log" "$JPID"
grep '^READY' "$W/junction.log" >&2
URL=http://127.0.0.1:$JPORT/; [ "$MODE" = https ] && URL=https://127.0.0.1:$JTLS/
wrk -t1 -c"$CONNS" -d10s "$URL" >/dev/null 2>&1 || true
"$JAVA_HOME/bin/jcmd" "$JPID" JFR.start name=p settings=profile >/dev/null
wrk -t1 -c"$CONNS" -d"${SECS}s" --latency ${WRK_EXTRA:-} "$URL" | grep -E "Requests/sec|99%|Latency" >&2
"$JAVA_HOME/bin/jcmd" "$JPID" JFR.dump name=p filename="$OUT" >/dev/null
"$JAVA_HOME/bin/jfr" print --events jdk.ExecutionSample "$OUT" | awk '/stackTrace = \[/{getline; sub(/^[ \t]+/,""); sub(/line:.*/,""); c[$0]++; n++} END{for(k in c) printf "%6d %5.1f%% %s\n", c[k], 100*c[k]/n, k}' | sort -rn | head -${TOP:-40}
echo "--- inclusive (share of samples with the frame anywhere on the stack)"
"$JAVA_HOME/bin/jfr" print --events jdk.ExecutionSample --stack-depth 64 "$OUT" | awk '
  /stackTrace = \[/{inst=1; delete seen; n++; next}
  inst && /^[ \t]*\]/{inst=0; next}
  inst{l=$0; sub(/^[ \t]+/,"",l); sub(/line:.*/,"",l); sub(/\(.*/,"",l); if(!(l in seen)){seen[l]=1; c[l]++}}
  END{for(k in c) printf "%6d %5.1f%% %s\n", c[k], 100*c[k]/n, k}' | sort -rn | grep -E "${INCL:-dev.junction|codec|handler|Pool|nio}" | head -${TOP:-40}
"$JAVA_HOME/bin/jfr" summary "$OUT" | grep -E "ExecutionSample|ObjectAllocationSample|GarbageCollection " >&2
