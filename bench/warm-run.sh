#!/usr/bin/env bash
# Warm `wow` against plain cargo on the bundled examples' prototype.
#
# Prints, for N runs each (median, in seconds):
#   cargo test --test intents   plain cargo in the prototype (build is fresh, so: check + run)
#   the same after an edit      plain cargo after touching the prototype's sources (rebuild + run),
#                               the work of one round
#   wow test                    the same work through wow (build check, run, honesty check, report)
#   the same after a change     plain cargo after a line is added to `src/banking.rs` (a change of
#                               content, which cargo and wow both see)
#   wow test after a change     the same change through wow: a round's work, model time excluded
#   wow run (replay)            the whole pipeline with the recorded replies, so model time is ~0:
#                               two rounds, each writing files, building and running
# and the ratios against plain cargo, all measured in this one run; the last line
# compares wow and plain cargo after the same change (the warm round).
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
# Each run adds a line: the sources change every time, for cargo and wow alike.
# The file is put back afterwards (`wow run` keeps hand edits from being overwritten).
cp generated/features/src/banking.rs banking.rs.kept
cargo_change=$(cd generated/features && time_it sh -c 'echo "// a change" >>src/banking.rs && CARGO_TARGET_DIR="$WOW_TARGET_DIR" cargo test --test intents')
wow_change=$(time_it sh -c 'echo "// a change" >>generated/features/src/banking.rs && "$0" --quiet test generated/features' "$wow")
mv banking.rs.kept generated/features/src/banking.rs
wow_run=$(time_it "$wow" --quiet run)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {print a / b}'; }

printf '%-28s %8s %8s\n' "command ($runs runs)" "median s" "ratio"
printf '%-28s %8.2f %8.2f\n' "cargo test --test intents" "$cargo_test" 1
printf '%-28s %8.2f %8.2f\n' "the same after an edit" "$cargo_edit" "$(ratio "$cargo_edit" "$cargo_test")"
printf '%-28s %8.2f %8.2f\n' "wow test" "$wow_test" "$(ratio "$wow_test" "$cargo_test")"
printf '%-28s %8.2f %8.2f\n' "the same after a change" "$cargo_change" "$(ratio "$cargo_change" "$cargo_test")"
printf '%-28s %8.2f %8.2f\n' "wow test after a change" "$wow_change" "$(ratio "$wow_change" "$cargo_test")"
printf '%-28s %8.2f %8.2f\n' "wow run (replay, 2 rounds)" "$wow_run" "$(ratio "$wow_run" "$cargo_test")"
printf 'warm round: wow test after a change is %.2f× plain cargo after the same change\n' "$(ratio "$wow_change" "$cargo_change")"
