#!/usr/bin/env bash
# logfig against its rivals, side by side: builds bench/compare (release) and runs
# every peer and scenario, one peer per process, then prints the Markdown table and
# writes it to bench/compare/results.md. Takes about 6-8 minutes on 2 cores (building the rivals the first time: a few more).
#
#   bench/compare/run.sh                      # everything
#   bench/compare/run.sh --only logfig,write  # some peers (see `compare list`)
#   bench/compare/run.sh --target-secs 2      # longer runs (default 1.5 s per run)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

cargo build --release -p compare
bin="${CARGO_TARGET_DIR:-$root/target}/release/compare"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/logfig-compare.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

"$bin" suite --tmp "$tmp" --out "$here/results.md" "$@"
