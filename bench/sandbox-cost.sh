#!/usr/bin/env bash
# The sandbox's cost per round: `wow test` on the bundled examples'
# prototype (a build check and a run of 23 scenarios, the cargo part of one
# round) with the sandbox on and with `--sandbox off`, N runs each
# (median, in seconds), and their ratio.
#
# Usage: bench/sandbox-cost.sh [N]   (default 9). Builds wow in release mode first.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-9}

cargo build --release --quiet
wow=$PWD/target/release/wow
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r features "$work/features"
mkdir -p "$work/generated"
cp -r generated/features "$work/generated/features"
rm -f "$work"/generated/features/.wow/{cucumber,last-run}.json
export WOW_TARGET_DIR="$work/target"
cd "$work"

# Warm up: compile the dependencies and the prototype once.
"$wow" --quiet run >/dev/null
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
time_it() {
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN {print b - a}'
  done | median
}

off=$(time_it "$wow" --quiet test generated/features --sandbox off)
on=$(time_it "$wow" --quiet test generated/features)
printf '%-28s %8s\n' "wow test ($runs runs)" "median s"
printf '%-28s %8.3f\n' "--sandbox off" "$off"
printf '%-28s %8.3f\n' "sandbox on" "$on"
printf '%-28s %8.3f s (ratio %.2f)\n' "cost per round" "$(awk -v a="$on" -v b="$off" 'BEGIN {print a - b}')" "$(awk -v a="$on" -v b="$off" 'BEGIN {print a / b}')"
