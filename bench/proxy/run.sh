#!/usr/bin/env bash
# Usage: bench/proxy/run.sh [services=10000] [endpoints=10]
#   Builds bench/proxy and runs, in order: JMH render (RenderBenchmark), netns apply of both modes
#   (ApplyBench, ROUNDS=1 interleaved nftables rounds: proxier, raw nft on the same text, raw nft on
#   gen-kube-rules.py's file; root; namespaces jnt-bench-* created and deleted), the raw-tool floor
#   (../shared/bench/rules-cost.sh, RUNS=1), and the userspace request/response rate on loopback.
#   Run from /work/main. Nothing outside namespaces it creates and loopback is touched.
set -euo pipefail
S=${1:-10000} E=${2:-10}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
./mvnw -B -q -f bench/proxy/pom.xml package -DskipTests
./mvnw -B -q -f bench/proxy/pom.xml dependency:build-classpath -Dmdep.outputFile=target/cp.txt
CP=bench/proxy/target/junction-bench-proxy-0.1.0-SNAPSHOT.jar:$(cat bench/proxy/target/cp.txt)
uptime
"$JAVA_HOME/bin/java" -cp "$CP" org.openjdk.jmh.Main RenderBenchmark -p services="$S" -wi 2 -i 3 -w 2 -r 2
"$JAVA_HOME/bin/java" -cp "$CP" dev.junction.bench.proxy.RenderProfile "$S"
# gen-kube-rules.py's nft file of the same size: ApplyBench times the raw tool on it in each round.
GEN=$(mktemp -d /tmp/bench-proxy.XXXXXX)
trap 'rm -rf "$GEN"' EXIT
../shared/bench/gen-kube-rules.py "$S" "$E" "$GEN" >/dev/null
"$JAVA_HOME/bin/java" -Xmx3g -cp "$CP" dev.junction.bench.proxy.ApplyBench "$S" "$E" "iptables nftables" "${ROUNDS:-1}" "$GEN/nft-full.nft"
RUNS=1 CMD_TIMEOUT=600 ../shared/bench/rules-cost.sh "$S" "$E" "nft nftables"
"$JAVA_HOME/bin/java" -cp "$CP" dev.junction.bench.proxy.UserspaceThroughputBench 5 32 3
