# shellcheck shell=bash
# Shared by bench/ingress/*.sh; source after ../shared/bench/lib.sh (uses log, die, median).

# Netty turns sun.misc.Unsafe off by default on Java 25+ (io.netty.noUnsafe), which sends every
# direct-buffer byte access through ByteBuffer bounds and scope checks (the first JFR profile's top
# frames); --sun-misc-unsafe-memory-access=allow gives it back, the add-opens let Netty allocate
# direct memory without a Cleaner, --enable-native-access lets netty-tcnative (BoringSSL) load.
INGRESS_NETTY_OPTS="--sun-misc-unsafe-memory-access=allow --add-opens=java.base/java.nio=ALL-UNNAMED \
--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED -Dio.netty.tryReflectionSetAccessible=true --enable-native-access=ALL-UNNAMED"
# The benchmark JVM's default options: 256 MB heap, ParallelGC with one thread, no leak detection.
INGRESS_JAVA_OPTS="-Xms256m -Xmx256m -XX:+UseParallelGC -XX:ParallelGCThreads=1 -Dio.netty.leakDetection.level=disabled $INGRESS_NETTY_OPTS"

# ingress_dependencies ROOT OUT: compiles the ingress module's test classes and writes its test
# classpath (dependencies only) to OUT.
ingress_dependencies() {
  (cd "$1" && JAVA_HOME=$JAVA_HOME ./mvnw -B -q -o -pl ingress test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$2" >/dev/null)
}

# wait_ready LOG PID: waits up to 120 s for IngressBenchServer's READY line; dies if it exits.
wait_ready() {
  for _ in $(seq 1 1200); do
    grep -q '^READY' "$1" && return 0
    kill -0 "$2" 2>/dev/null || die "ingress bench server $2 exited: $(tail -5 "$1")"
    sleep 0.1
  done
  die "ingress bench server $2 not ready after 120 s"
}

# proc_ticks PIDS: "USER SYS", the clock ticks (utime, stime) of the processes, all threads.
proc_ticks() {
  local u=0 s=0 p a b
  for p in "$@"; do
    read -r a b < <(awk '{print $14, $15}' "/proc/$p/stat" 2>/dev/null || echo "0 0")
    u=$((u + a)); s=$((s + b))
  done
  echo "$u $s"
}
# cpu_ticks PIDS: user + system clock ticks of the processes.
cpu_ticks() { local u s; read -r u s < <(proc_ticks "$@"); echo $((u + s)); }

# result_median LINES LABEL CONNS KEY: the median of KEY over the RESULT-style LINES with that label
# and connection count (NA if none).
result_median() { echo "$1" | grep " label=$2 conns=$3 " | tr ' ' '\n' | awk -F= -v k="$4" '$1==k{print $2}' | median; }
# ratio A B: A / B to two decimals, NA when B is 0 or not a number.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b+0 == 0) print "NA"; else printf "%.2f", a/b }'; }
