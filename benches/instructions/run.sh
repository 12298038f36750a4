#!/usr/bin/env bash
# Instructions per logging call of two logfig revisions, side by side: what a
# shared machine cannot disturb (the time benches of ../ and bench/compare can
# be, by 20% and more).
#
#   benches/instructions/run.sh OLD_REV [NEW_REV]     (NEW_REV: the working tree)
#
# For each revision: a release build of driver.rs against that revision (in a
# temporary git worktree, with the revision's own Cargo.lock), then, per
# scenario, two runs under `valgrind --tool=callgrind` of 1,000 and 21,000
# records; the difference of their totals over 20,000 is the cost of one call,
# start-up and shutdown cancelled out. Needs valgrind (apt-get install valgrind).
set -euo pipefail
cd "$(dirname "$0")"
here="$(pwd)"
root="$(git rev-parse --show-toplevel)"
old="${1:?usage: run.sh OLD_REV [NEW_REV]}"
new="${2:-}"
command -v valgrind >/dev/null || { echo "valgrind is needed: apt-get install valgrind" >&2; exit 1; }
work="$(mktemp -d)"
cleanup() {
  for w in "$work"/src-*; do [ -d "$w" ] && git -C "$root" worktree remove --force "$w"; done
  rm -rf "$work"
}
trap cleanup EXIT

# build NAME SOURCE_DIR: the driver against the logfig in SOURCE_DIR.
build() {
  local name=$1 src=$2 drv="$work/drv-$1"
  mkdir -p "$drv/src"
  cp "$here/driver.rs" "$drv/src/main.rs"
  cp "$src/Cargo.lock" "$drv/Cargo.lock"
  cat >"$drv/Cargo.toml" <<TOML
[package]
name = "driver"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
logfig = { path = "$src" }
log = "0.4"

[workspace]
TOML
  echo "building $name" >&2
  (cd "$drv" && CARGO_TARGET_DIR="$work/target-$name" cargo build --release --quiet)
}

git -C "$root" worktree add --quiet --detach "$work/src-old" "$old"
build old "$work/src-old"
if [ -n "$new" ]; then
  git -C "$root" worktree add --quiet --detach "$work/src-new" "$new"
  build new "$work/src-new"
else
  new="working tree"
  build new "$root"
fi

# ir BINARY SCENARIO N: the instructions of one run, every thread included.
ir() {
  local d; d=$(mktemp -d "$work/run.XXXX")
  DRV_DIR=$d valgrind --tool=callgrind --callgrind-out-file="$d/cg.out" "$1" "$2" "$3" 2>&1 \
    | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
  rm -rf "$d"
}

n1=1000 n2=21000
printf 'instructions per call; old: %s, new: %s\n\n' "$old" "$new"
printf '| %-14s | %8s | %8s | %7s |\n|---|---:|---:|---:|\n' scenario old new change
for s in disabled other_debug handler_level pattern json; do
  declare -A per
  for v in old new; do
    a=$(ir "$work/target-$v/release/driver" "$s" $n1)
    b=$(ir "$work/target-$v/release/driver" "$s" $n2)
    per[$v]=$(((b - a) / (n2 - n1)))
  done
  change=$(python3 -c "print(f'{(${per[new]} - ${per[old]}) / ${per[old]} * 100:+.1f}%')")
  printf '| %-14s | %8s | %8s | %7s |\n' "$s" "${per[old]}" "${per[new]}" "$change"
done
