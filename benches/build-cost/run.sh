#!/usr/bin/env bash
# The build cost of a hello-world app on logfig's default features, beside
# log4rs, env_logger and tracing-subscriber (fmt + env-filter): the distinct
# crates each compiles, and the wall time of a clean release build.
#
#   benches/build-cost/run.sh [ROUNDS]      (default 3)
#
# Each round builds every app once from an empty target directory, in a
# rotated order, so the apps share the machine's load alike; the report gives
# each app's median, min and max, and logfig's time over log4rs's per round.
# Builds run offline from the local registry cache (`cargo fetch` first if it
# is cold) and with the committed lockfiles.
set -euo pipefail
cd "$(dirname "$0")"
rounds="${1:-3}"
apps=(logfig log4rs env_logger tracing_subscriber)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for app in "${apps[@]}"; do
  (cd "$app" && cargo fetch --locked --quiet)
done

printf '%-20s %s\n' app "crates (distinct, itself and its dependencies)"
for app in "${apps[@]}"; do
  n=$(cd "$app" && cargo tree --locked --offline -e normal --prefix none \
    | sed 's/ (\*)//' | grep -v '^hello-' | sort -u | wc -l)
  printf '%-20s %s\n' "$app" "$n"
done

: >"$work/times"
for ((r = 0; r < rounds; r++)); do
  for ((i = 0; i < ${#apps[@]}; i++)); do
    app="${apps[$(((i + r) % ${#apps[@]}))]}"
    rm -rf "$work/target"
    start=$(date +%s.%N)
    (cd "$app" && CARGO_TARGET_DIR="$work/target" cargo build --release --locked --offline --quiet)
    end=$(date +%s.%N)
    echo "$r $app $start $end" >>"$work/times"
  done
done

python3 - "$work/times" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
times = {}
for r, app, start, end in rows:
    times.setdefault(app, {})[int(r)] = float(end) - float(start)
print()
print(f"{'app':20} {'median s':>9} {'min s':>7} {'max s':>7}  (clean release build, {len(times['logfig'])} rounds)")
for app, by_round in times.items():
    ts = list(by_round.values())
    print(f"{app:20} {statistics.median(ts):9.1f} {min(ts):7.1f} {max(ts):7.1f}")
ratios = [times['logfig'][r] / times['log4rs'][r] for r in times['logfig']]
print()
print("logfig / log4rs, per round: " + ", ".join(f"{x:.2f}" for x in ratios)
      + f"; median {statistics.median(ratios):.2f}")
PY
