# Shared by the bench scripts (sourced, not run): builds wow in release mode,
# copies the bundled examples into a temporary folder with a target
# directory of its own, warms it up with one `wow run`, and defines
# `time_it CMD...`, the median wall time in seconds of `$runs` runs of CMD.
# Sets `wow` (the binary) and leaves the working folder in the copy.

cd "$(dirname "${BASH_SOURCE[0]}")/.."
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
