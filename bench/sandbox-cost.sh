#!/usr/bin/env bash
# The sandbox's cost per round: `wow test` on the bundled examples'
# prototype (a build check and a run of 23 scenarios, the cargo part of one
# round) with the sandbox on and with `--sandbox off`, N runs each
# (median, in seconds), and their ratio.
#
# Usage: bench/sandbox-cost.sh [N]   (default 9). Builds wow in release mode first.
set -euo pipefail
runs=${1:-9}
# shellcheck source=bench/setup.sh
source "$(dirname "$0")/setup.sh"

off=$(time_it "$wow" --quiet test generated/features --sandbox off)
on=$(time_it "$wow" --quiet test generated/features)
printf '%-28s %8s\n' "wow test ($runs runs)" "median s"
printf '%-28s %8.3f\n' "--sandbox off" "$off"
printf '%-28s %8.3f\n' "sandbox on" "$on"
printf '%-28s %8.3f s (ratio %.2f)\n' "cost per round" "$(awk -v a="$on" -v b="$off" 'BEGIN {print a - b}')" "$(awk -v a="$on" -v b="$off" 'BEGIN {print a / b}')"
