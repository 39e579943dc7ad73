#!/usr/bin/env bash
# What the web app adds to a round, on the bundled examples (median of N
# runs each, in seconds, all measured in this one run):
#   round's build        the scenarios' build of a replayed `wow run` (report: rounds[].cargo_ms)
#   app build            the app's build after the rounds (report: app.build_ms), the page
#                        rewritten first so that it really compiles
#   wow app, to its URL  from starting `wow app` to the URL it prints (build check,
#                        sandboxed start)
#   app stream floor     the time to stream the recorded app reply at RATE tokens/s
#                        (first-token delay + characters / 4 / RATE): the model time the app
#                        adds, once per prototype, on a run where every intent passes
#
# Usage: bench/app.sh [N] [RATE]   (defaults 5 and 80). Builds wow in release mode first.
set -euo pipefail
runs=${1:-5}
rate=${2:-80}
# shellcheck source=bench/setup.sh
source "$(dirname "$0")/setup.sh"

round_ms=()
app_ms=()
for _ in $(seq "$runs"); do
  # The page comes back from the recording and is compiled again.
  rm -rf generated/features/app/page generated/features/app/page.rs
  "$wow" --quiet run --json report.json >/dev/null 2>&1 || true
  round_ms+=("$(python3 -c 'import json; r = json.load(open("report.json")); print(r["rounds"][-1]["cargo_ms"] / 1000)')")
  app_ms+=("$(python3 -c 'import json; r = json.load(open("report.json")); print(r["app"]["build_ms"] / 1000)')")
done
round=$(printf '%s\n' "${round_ms[@]}" | median)
app=$(printf '%s\n' "${app_ms[@]}" | median)

start_app() {
  local out
  out=$(mktemp)
  "$wow" --quiet app generated/features --port 0 >"$out" 2>/dev/null &
  local pid=$!
  for _ in $(seq 600); do grep -q http "$out" && break; sleep 0.05; done
  kill -INT "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -f "$out"
}
to_url=$(time_it start_app)

floor=$(python3 - "$rate" generated/features/.wow/exchanges/app <<'EOF'
import json, os, sys
rate, folder = float(sys.argv[1]), sys.argv[2]
total = 0.0
for name in sorted(os.listdir(folder)):
    with open(os.path.join(folder, name), encoding="utf-8") as f:
        text = json.load(f)["reply"]["text"]
    total += 0.5 + len(text) / 4 / rate
print(f"{total:.2f}")
EOF
)

printf '%-34s %8s %8s\n' "($runs runs, median)" "s" "ratio"
printf '%-34s %8.2f %8.2f\n' "round's build (scenarios)" "$round" 1
printf '%-34s %8.2f %8.2f\n' "app build after the rounds" "$app" "$(awk -v a="$app" -v b="$round" 'BEGIN {print a / b}')"
printf '%-34s %8.2f %8.2f\n' "wow app, start to URL" "$to_url" "$(awk -v a="$to_url" -v b="$round" 'BEGIN {print a / b}')"
printf '%-34s %8.2f %8s\n' "app stream floor at $rate tokens/s" "$floor" "-"
