#!/usr/bin/env bash
# The whole path, from `wow run` to the scoreboard, against a fake model
# streaming the bundled examples' recorded replies (written by hand) at a
# set rate, next to the floors nothing can beat:
#   stream floor     the time to stream the replies the run waits for, per
#                    round: first-token delay + tokens / rate of its reply,
#                    and for a sharded run (its shards' calls at once) of
#                    the round's longest reply
#   dependency build plain `cargo test --no-run` of the bundled prototype
#                    into an empty target directory (cucumber, tokio, …)
#   cold floor       max(round 1's stream, dependency build) + the later
#                    rounds' stream: the dependency build can overlap only
#                    round 1's stream (a repair's prompt exists only after
#                    round 1 has run)
#   plain cargo      `cargo test --test intents` after a one-line change to
#                    the sources, against `wow test` after the same change
# It measures both ways of writing the prototype: sharded (the default
# `--jobs`, one call per feature, served from the prototype's recording)
# and in one call (`--jobs 1`, served from `bench/one-call/`, the same
# hand-written code as one reply), each cold and warm.
# Every figure comes from this one run of the script; ratios compare them.
#
# Usage: bench/whole-path.sh [RATE] [FIRST_TOKEN]
#   RATE         output tokens per second of the fake model (default 80; 30 is
#                like a local 7B model)
#   FIRST_TOKEN  seconds before the first token (default 0.5)
# Needs python3. Builds wow in release mode first. Takes several minutes:
# it compiles the prototype's dependencies from nothing three times (plain
# cargo, then a cold `wow run` each way).
set -euo pipefail
rate=${1:-80}
first=${2:-0.5}
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release --quiet
wow=$PWD/target/release/wow
root=$PWD
sharded_dir=generated/features/.wow/exchanges
one_dir=bench/one-call
work=$(mktemp -d)
servers=()
trap 'for s in "${servers[@]}"; do kill "$s" 2>/dev/null; done; rm -rf "$work"' EXIT

# One fake model per recording, each logging which exchange it served.
serve() {
  local name=$1 dir=$2
  python3 bench/fake-model.py "$dir" --rate "$rate" --first-token "$first" \
    --log "$work/$name.log" >"$work/$name.port" &
  servers+=($!)
}
url() {
  for _ in $(seq 50); do [ -s "$work/$1.port" ] && break; sleep 0.1; done
  echo "http://127.0.0.1:$(awk '{print $2}' "$work/$1.port")/v1"
}
serve sharded "$sharded_dir"
serve one "$one_dir"
sharded_url=$(url sharded)
one_url=$(url one)

seconds() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }
now() { date +%s.%N; }

# The stream floor of a recording: per round, the longest reply (the
# calls of a round run at once), summed over the rounds.
floor() {
  python3 - "$rate" "$first" "$1" <<'EOF'
import json, os, sys
rate, first, folder = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
rounds = {}
for name in sorted(n for n in os.listdir(folder) if n.endswith(".json")):
    with open(os.path.join(folder, name), encoding="utf-8") as f:
        exchange = json.load(f)
    seconds = first + len(exchange["reply"]["text"]) / 4 / rate
    rounds[exchange["round"]] = max(rounds.get(exchange["round"], 0.0), seconds)
first_round = rounds[min(rounds)]
print(f"{sum(rounds.values()):.2f} {len(rounds)} {first_round:.2f}")
EOF
}
read -r sharded_floor sharded_rounds sharded_first < <(floor "$sharded_dir")
read -r one_floor one_rounds one_first < <(floor "$one_dir")
calls() { find "$1" -maxdepth 1 -name '*.json' | wc -l; }

# Plain cargo: the dependency build from nothing, then an edit.
cp -r generated/features "$work/plain"
rm -rf "$work/plain/.wow"
start=$(now)
(cd "$work/plain" && CARGO_TARGET_DIR="$work/plain-target" cargo test --no-run --test intents --quiet >/dev/null 2>&1)
deps=$(seconds "$start" "$(now)")
start=$(now)
(cd "$work/plain" && echo "// a change" >>src/banking.rs && CARGO_TARGET_DIR="$work/plain-target" cargo test --test intents --quiet >/dev/null 2>&1) || true
edit=$(seconds "$start" "$(now)")
rm -rf "$work/plain-target"

# `wow run` of a new prototype folder OUT with the target directory
# TARGET, against the fake model at URL, with more options after.
run() {
  local out=$1 target=$2 url=$3
  shift 3
  mkdir -p "$work/$out"
  cp -r "$root/features" "$work/$out/features"
  local start
  start=$(now)
  # --no-app: the path to the scoreboard (the app comes after it;
  # bench/app.sh measures what it adds).
  (cd "$work/$out" && "$wow" --quiet run features --model vllm/bench --base-url "$url" \
      --no-app --target-dir "$work/$target" "$@" >/dev/null 2>&1) || true
  seconds "$start" "$(now)"
}
# Each way cold (a new target directory), then warm (the same target
# directory, a new prototype folder).
sharded_cold=$(run sharded-cold sharded-target "$sharded_url")
sharded_warm=$(run sharded-warm sharded-target "$sharded_url")
one_cold=$(run one-cold one-target "$one_url" --jobs 1)
one_warm=$(run one-warm one-target "$one_url" --jobs 1)
# A warm round without the model: `wow test` after the same change to
# the sources (wow sees a file only touched as unchanged).
echo "// a change" >>"$work"/sharded-warm/generated/features/src/banking.rs
start=$(now)
(cd "$work/sharded-warm" && "$wow" --quiet test generated/features --target-dir "$work/sharded-target" >/dev/null 2>&1) || true
round=$(seconds "$start" "$(now)")

# Every run must have passed, each prompt served its own recorded reply.
passed() {
  python3 - "$work/$1/generated/features/.wow/last-run.json" <<'EOF'
import json, sys
try:
    summary = json.load(open(sys.argv[1]))["summary"]
    print(f"{summary['passed']} of {summary['intents']}")
except (OSError, ValueError, KeyError):
    print("no report")
EOF
}
served() {
  sort "$work/$1.log" | uniq -c | awk '{n = $1; $1 = ""; printf "%s%s×%s", sep, n, $0; sep = ","}'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
max() { awk -v a="$1" -v b="$2" 'BEGIN {print (a > b ? a : b)}'; }
# The cold floor where the dependency build can overlap only the first
# round's stream: a repair's prompt exists only once round 1 has run.
cold_floor() { awk -v total="$1" -v first="$2" -v deps="$3" 'BEGIN {printf "%.2f", (first > deps ? first : deps) + total - first}'; }
plus5() { awk -v a="$1" 'BEGIN {print a + 5}'; }
row() { printf '%-46s %8s %8s  %s\n' "$@"; }
printf 'fake model: %s tokens/s, %s s to the first token\n' "$rate" "$first"
printf 'sharded: %s calls in %s rounds (%s); one call: %s calls in %s rounds (%s)\n' \
  "$(calls "$sharded_dir")" "$sharded_rounds" "$sharded_dir" "$(calls "$one_dir")" "$one_rounds" "$one_dir"
printf 'intents verified: sharded cold %s, warm %s; one call cold %s, warm %s\n' \
  "$(passed sharded-cold)" "$(passed sharded-warm)" "$(passed one-cold)" "$(passed one-warm)"
printf 'served (both runs of each): sharded %s\n                              one call %s\n\n' \
  "$(served sharded)" "$(served one)"
row "measure" "seconds" "ratio" "against"
row "dependency build, plain cargo, cold" "$deps" "" ""
row "cargo test --test intents after a change" "$edit" "" ""
row "stream floor, sharded (longest reply a round)" "$sharded_floor" "" ""
row "wow run, sharded, cold (empty target dir)" "$sharded_cold" "$(ratio "$sharded_cold" "$(max "$sharded_floor" "$deps")")" "max(stream, dependency build) (goal 1.15)"
row "" "" "$(ratio "$sharded_cold" "$(cold_floor "$sharded_floor" "$sharded_first" "$deps")")" "max(round 1's stream, dependency build) + later rounds' stream"
row "wow run, sharded, warm" "$sharded_warm" "$(ratio "$sharded_warm" "$(plus5 "$sharded_floor")")" "stream floor + 5 s (goal 1.25)"
row "stream floor, one call" "$one_floor" "" ""
row "wow run, one call (--jobs 1), cold" "$one_cold" "$(ratio "$one_cold" "$(max "$one_floor" "$deps")")" "max(stream, dependency build) (goal 1.15)"
row "" "" "$(ratio "$one_cold" "$(cold_floor "$one_floor" "$one_first" "$deps")")" "max(round 1's stream, dependency build) + later rounds' stream"
row "wow run, one call (--jobs 1), warm" "$one_warm" "$(ratio "$one_warm" "$(plus5 "$one_floor")")" "stream floor + 5 s (goal 1.25)"
row "sharded against one call, cold" "" "$(ratio "$sharded_cold" "$one_cold")" "sharded cold / one call cold"
row "sharded against one call, warm" "" "$(ratio "$sharded_warm" "$one_warm")" "sharded warm / one call warm"
row "wow test after a change (a warm round)" "$round" "$(ratio "$round" "$edit")" "plain cargo after the same change (goal 1.3)"
