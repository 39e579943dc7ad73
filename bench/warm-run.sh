#!/usr/bin/env bash
# Warm `wow` against plain cargo on the bundled examples' prototype.
#
# Prints, for N runs each (median, in seconds):
#   cargo test --test intents   plain cargo in the prototype (build is fresh, so: check + run)
#   the same after an edit      plain cargo after touching the prototype's sources (rebuild + run),
#                               the work of one round
#   wow test                    the same work through wow (build check, run, parse, report)
#   wow run (replay)            the whole pipeline with the recorded replies, so model time is ~0:
#                               two rounds, each writing files, building and running
# and the ratios against plain cargo, all measured in this one run.
#
# Usage: bench/warm-run.sh [N]   (default 5). Builds wow in release mode first.
set -euo pipefail
runs=${1:-5}
# shellcheck source=bench/setup.sh
source "$(dirname "$0")/setup.sh"

# `cargo test` in the folder uses the same package name, lock and target dir as wow.
cargo_test=$(cd generated/features && time_it env CARGO_TARGET_DIR="$WOW_TARGET_DIR" cargo test --test intents)
cargo_edit=$(cd generated/features && time_it sh -c 'touch src/*.rs tests/steps.rs && CARGO_TARGET_DIR="$WOW_TARGET_DIR" cargo test --test intents')
wow_test=$(time_it "$wow" --quiet test generated/features)
wow_run=$(time_it "$wow" --quiet run)

printf '%-28s %8s %8s\n' "command ($runs runs)" "median s" "ratio"
printf '%-28s %8.2f %8.2f\n' "cargo test --test intents" "$cargo_test" 1
printf '%-28s %8.2f %8.2f\n' "the same after an edit" "$cargo_edit" "$(awk -v a="$cargo_edit" -v b="$cargo_test" 'BEGIN {print a / b}')"
printf '%-28s %8.2f %8.2f\n' "wow test" "$wow_test" "$(awk -v a="$wow_test" -v b="$cargo_test" 'BEGIN {print a / b}')"
printf '%-28s %8.2f %8.2f\n' "wow run (replay, 2 rounds)" "$wow_run" "$(awk -v a="$wow_run" -v b="$cargo_test" 'BEGIN {print a / b}')"
