#!/usr/bin/env bash
# Usage: bench/proxy/nft-floor.sh [services=10000] [endpoints=10] [rounds=5]
#   The kernel's floor for one nftables transaction on a kube-proxy-shaped table, independent of
#   Junction: loads ../shared/bench/gen-kube-rules.py's nftables ruleset (<services> × <endpoints>) into
#   a fresh network namespace (jnt-nftfloor, deleted at the end), then times, <rounds> times each, the
#   kernel's handling of two one-chain transactions sent by nft itself:
#     counter: add a new chain holding one `counter` rule (no expression with a validate hook);
#     jump:    add a new chain holding one `jump mark-for-masquerade` rule, the kind of rule every
#              endpoint change adds (`dnat`, `goto` verdict-map elements do the same).
#   The time is the duration of nft's batch sendmsg(2) under `strace -T`: netlink processes the batch,
#   commit included, inside that call. nft's own cache dump before it is excluded.
#   Any transaction that adds a rule with a jump, goto or nat expression marks the table for validation
#   (net/netfilter/nf_tables_api.c: nft_validate_state_update(…, NFT_VALIDATE_NEED)), and the commit
#   then walks every chain reachable from the base chains (nft_table_validate → nft_chain_validate);
#   kernels with "netfilter: nf_tables: avoid chain re-validation if possible" (Dec 2025) visit each
#   chain once per walk instead of once per path, but still walk all of them.
# Output: one RESULT line per transaction kind with the median and all samples (ms), plus `uptime`.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
GEN=${GEN:-$HERE/../../../shared/bench/gen-kube-rules.py}
S=${1:-10000} E=${2:-10} ROUNDS=${3:-5} NS=jnt-nftfloor
[ "$(id -u)" = 0 ] || { echo "needs root (network namespace, nft)"; exit 2; }
command -v strace >/dev/null || { echo "needs strace"; exit 2; }
T=$(mktemp -d)
cleanup() { ip netns del "$NS" 2>/dev/null || true; rm -rf "$T"; }
trap cleanup EXIT
python3 "$GEN" "$S" "$E" "$T" >/dev/null
ip netns add "$NS"
ip netns exec "$NS" nft -f "$T/nft-full.nft"
echo "loaded $(sed -n 3p "$T/counts.txt") into $NS ($(uname -r))"
batch_ms() { # file: the longest sendmsg of one nft -f run, in ms
  ip netns exec "$NS" strace -T -e trace=sendmsg nft -f "$1" 2>&1 | grep -o '<[0-9.]*>' | tr -d '<>' |
    awk '{ if ($1 > m) m = $1 } END { printf "%.1f", m * 1000 }'
}
declare -A samples
for r in $(seq 1 "$ROUNDS"); do
  printf 'add chain ip kube-proxy floor-counter-%s\nadd rule ip kube-proxy floor-counter-%s counter\n' "$r" "$r" >"$T/c.nft"
  printf 'add chain ip kube-proxy floor-jump-%s\nadd rule ip kube-proxy floor-jump-%s ip saddr 10.1.2.3 jump mark-for-masquerade\n' "$r" "$r" >"$T/j.nft"
  samples[counter]+="$(batch_ms "$T/c.nft") "
  samples[jump]+="$(batch_ms "$T/j.nft") "
done
for k in counter jump; do
  med=$(echo "${samples[$k]}" | tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "RESULT nft-floor kind=$k services=$S endpoints=$E median_ms=$med samples_ms=\"${samples[$k]% }\""
done
uptime
