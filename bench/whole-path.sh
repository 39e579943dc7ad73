#!/usr/bin/env bash
# The whole path, from `wow run` to the scoreboard, against a fake model
# streaming the bundled examples' recorded replies (written by hand) at a
# set rate, next to the floors nothing can beat:
#   stream floor     the time to stream the replies the run waits for
#                    (first-token delay + tokens / rate, per round)
#   dependency build plain `cargo test --no-run` of the bundled prototype
#                    into an empty target directory (cucumber, tokio, …)
#   plain cargo      `cargo test --test intents` after touching the sources
# Every figure comes from this one run of the script; ratios compare them.
#
# Usage: bench/whole-path.sh [RATE] [FIRST_TOKEN]
#   RATE         output tokens per second of the fake model (default 80; 30 is
#                like a local 7B model)
#   FIRST_TOKEN  seconds before the first token (default 0.5)
# Needs python3. Builds wow in release mode first. Takes several minutes:
# it compiles the prototype's dependencies from nothing twice (plain cargo,
# then the cold `wow run`).
set -euo pipefail
rate=${1:-80}
first=${2:-0.5}
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release --quiet
wow=$PWD/target/release/wow
root=$PWD
work=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

python3 bench/fake-model.py generated/features/.wow/exchanges --rate "$rate" --first-token "$first" >"$work/port" &
server=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(awk '{print $2}' "$work/port")
base="http://127.0.0.1:$port/v1"

seconds() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }
now() { date +%s.%N; }

# The stream floor: what the recorded replies take at this rate.
floor=$(python3 - "$rate" "$first" generated/features/.wow/exchanges <<'EOF'
import json, os, sys
rate, first, folder = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
total = 0.0
for name in sorted(n for n in os.listdir(folder) if n.endswith(".json")):
    with open(os.path.join(folder, name), encoding="utf-8") as f:
        text = json.load(f)["reply"]["text"]
    total += first + len(text) / 4 / rate
print(f"{total:.2f}")
EOF
)

# Plain cargo: the dependency build from nothing, then an edit.
cp -r generated/features "$work/plain"
rm -rf "$work/plain/.wow"
start=$(now)
(cd "$work/plain" && CARGO_TARGET_DIR="$work/plain-target" cargo test --no-run --test intents --quiet >/dev/null 2>&1)
deps=$(seconds "$start" "$(now)")
start=$(now)
(cd "$work/plain" && touch src/*.rs && CARGO_TARGET_DIR="$work/plain-target" cargo test --test intents --quiet >/dev/null 2>&1) || true
edit=$(seconds "$start" "$(now)")

# wow, cold: a new target directory, the model streaming.
run() {
  local out=$1 target=$2
  mkdir -p "$work/$out"
  cp -r "$root/features" "$work/$out/features"
  local start
  start=$(now)
  # --no-app: the path to the scoreboard (the app comes after it;
  # bench/app.sh measures what it adds).
  (cd "$work/$out" && "$wow" --quiet run features --model vllm/bench --base-url "$base" \
      --no-app --target-dir "$work/$target" >/dev/null 2>&1) || true
  seconds "$start" "$(now)"
}
cold=$(run cold wow-target)
# wow, warm: the same target directory, a new prototype folder.
warm=$(run warm wow-target)
# A warm round without the model: `wow test` after touching the sources.
touch "$work"/warm/generated/features/src/*.rs
start=$(now)
(cd "$work/warm" && "$wow" --quiet test generated/features --target-dir "$work/wow-target" >/dev/null 2>&1) || true
round=$(seconds "$start" "$(now)")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
max() { awk -v a="$1" -v b="$2" 'BEGIN {print (a > b ? a : b)}'; }
cold_floor=$(max "$floor" "$deps")
printf 'fake model: %s tokens/s, %s s to the first token\n\n' "$rate" "$first"
printf '%-44s %8s %8s  %s\n' "measure" "seconds" "ratio" "against"
printf '%-44s %8s %8s  %s\n' "stream floor (2 rounds)" "$floor" "" ""
printf '%-44s %8s %8s  %s\n' "dependency build, plain cargo, cold" "$deps" "" ""
printf '%-44s %8s %8s  %s\n' "cargo test --test intents after an edit" "$edit" "" ""
printf '%-44s %8s %8s  %s\n' "wow run, cold (empty target dir)" "$cold" "$(ratio "$cold" "$cold_floor")" "max(stream, dependency build) (goal 1.15)"
printf '%-44s %8s %8s  %s\n' "wow run, warm" "$warm" "$(ratio "$warm" "$(awk -v a="$floor" 'BEGIN {print a + 5}')")" "stream floor + 5 s (goal 1.25)"
printf '%-44s %8s %8s  %s\n' "wow test after an edit (a warm round)" "$round" "$(ratio "$round" "$edit")" "plain cargo after an edit (goal 1.3)"
