#!/usr/bin/env bash
# Proof that the mutant schemata build and behave on the bundled example.
#
# Writes an instrumented copy of generated/features (package
# `prototype-features-check`) and a plain copy (`prototype-features-plain`)
# under target/, builds both in one shared target directory, then prints:
#   the build time of each after touching src/lib.rs (one run each),
#   the scenarios of the instrumented copy with no mutant active (all must pass),
#   the number of functions and mutants,
#   the check harness (tests/check.rs, from src/honesty/check.rs.in) run on a
#   schedule of every intent and every twin of it, no mutant active: how many
#   intents pass and how many twins fail (a twin that passes is listed),
#   the verdict of every intent after the whole check (the ignored test
#   `verdicts_on_the_bundled_example`: intents and twins, then each passing
#   intent under every mutant of the code it reaches),
#   with --kill: how many mutants make at least one scenario fail (the
#   harness of the copy is patched to read the mutant from WOW_MUTANT).
#
# Usage: bench/honesty-proof.sh [--kill] [TARGET_DIR]
#   TARGET_DIR defaults to target/wow-test-prototypes (cucumber already built there).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
kill=false
if [[ ${1:-} == --kill ]]; then kill=true; shift; fi
target=$(realpath -m "${1:-target/wow-test-prototypes}")
root=$PWD

cargo test --quiet --lib write_instrumented_example -- --ignored >/dev/null
check=$root/target/honesty-proof
plain=$root/target/honesty-plain
rm -rf "$plain" && mkdir -p "$plain"
cp -r generated/features/{Cargo.toml,Cargo.lock,src,tests,features} "$plain/"
sed -i 's/^name = "prototype-features-[0-9a-f]*"/name = "prototype-features-plain"/' "$plain/Cargo.toml"

build() { (cd "$1" && cargo test --quiet --no-run --test intents --target-dir "$target" 2>&1); }
executable() {
  (cd "$1" && cargo test --no-run --test intents --target-dir "$target" 2>&1) |
    sed -n 's/.*Executable .*(\(.*\))$/\1/p'
}
timed_rebuild() {
  touch "$1/src/lib.rs"
  local start end
  start=$(date +%s.%N)
  build "$1" >/dev/null
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", b - a}'
}

build "$plain" >/dev/null
errors=$(build "$check" | grep -c '^error' || true)
echo "instrumented copy: $errors errors, $(build "$check" | grep -c '^warning' || true) warnings"
echo "rebuild after touching src/lib.rs: plain $(timed_rebuild "$plain") s, instrumented $(timed_rebuild "$check") s"
exe=$(executable "$check")
echo "no mutant active: $(cd "$check" && "$exe" 2>&1 | grep -E 'scenarios \(')"
total=$(wc -l <"$check/mutants.tsv")
ignored=$(grep -c 'ignored' "$check/mutants.tsv" || true)
echo "$total mutants ($ignored of constant or pass-through functions), listed in $check/mutants.tsv"

check_exe=$( (cd "$check" && cargo test --no-run --test check --target-dir "$target" 2>&1) |
  sed -n 's/.*Executable .*(\(.*\))$/\1/p')
(cd "$check" && "$check_exe" <check-schedule.txt >check-out.txt 2>/dev/null) || true
framed() { grep '^proof-nonce {"tag"' "$check/check-out.txt" | sed 's/^proof-nonce //'; }
intents=0 passed=0 twins=0 failed=0
while IFS=$'\t' read -r tag id what; do
  line=$(framed | grep -F "\"tag\":\"$tag\"," || true)
  if [[ $what == intent ]]; then
    intents=$((intents + 1))
    [[ $line == *'"status":"passed"'* ]] && passed=$((passed + 1))
  else
    twins=$((twins + 1))
    if [[ $line == *'"status":"failed"'* ]]; then failed=$((failed + 1)); else echo "twin passed: $id $what"; fi
  fi
done <"$check/check-runs.tsv"
done_line=$(grep -c '^proof-nonce {"done":true}' "$check/check-out.txt" || true)
echo "check harness (done: $done_line): $passed of $intents intents pass, $failed of $twins twins fail"
WOW_CHECK_EXE=$check_exe cargo test --quiet --lib verdicts_on_the_bundled_example -- --ignored --nocapture 2>&1 |
  grep -E $'\t|intents verified'

if $kill; then
  sed -i 's/^async fn main() {$/async fn main() {\n    prototype::__wow_proof::set_active(std::env::var("WOW_MUTANT").ok().and_then(|m| m.parse().ok()).unwrap_or(0));/' "$check/tests/intents.rs"
  build "$check" >/dev/null
  exe=$(executable "$check")
  killed=0
  for id in $(seq 1 "$total"); do
    summary=$(cd "$check" && WOW_MUTANT=$id timeout 60 "$exe" 2>&1 | grep -E 'scenarios \(' || true)
    if [[ $summary == *failed* ]]; then
      killed=$((killed + 1))
    else
      echo "survived: $(sed -n "${id}p" "$check/mutants.tsv")"
    fi
  done
  echo "$killed of $total mutants make at least one scenario fail"
fi
