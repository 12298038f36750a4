#!/usr/bin/env bash
# The build cost of a hello-world app on logfig's default features, beside
# log4rs, env_logger and tracing-subscriber (fmt + env-filter): the distinct
# crates each compiles, and the cost of a clean release build.
#
#   benches/build-cost/run.sh [ROUNDS]      (default 3)
#
# Each round builds every app once from an empty target directory, in a
# rotated order, so the apps share the machine's load alike. Two costs per
# build: wall time, and CPU time (user + system, of cargo and every rustc it
# runs), which a machine shared with other builds disturbs far less. The
# report gives each app's median, min and max, and logfig's cost over log4rs's
# per round. Builds run offline, after one `cargo fetch`, from the committed
# lockfiles (the logfig app's follows logfig's dependencies as they change).
set -euo pipefail
cd "$(dirname "$0")"
rounds="${1:-3}"
apps=(logfig log4rs env_logger tracing_subscriber)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for app in "${apps[@]}"; do
  (cd "$app" && cargo fetch --quiet)
done

printf '%-20s %s\n' app "crates (distinct, itself and its dependencies)"
for app in "${apps[@]}"; do
  n=$(cd "$app" && cargo tree --offline -e normal --prefix none \
    | sed 's/ (\*)//' | grep -v '^hello-' | sort -u | wc -l)
  printf '%-20s %s\n' "$app" "$n"
done

: >"$work/times"
for ((r = 0; r < rounds; r++)); do
  for ((i = 0; i < ${#apps[@]}; i++)); do
    app="${apps[$(((i + r) % ${#apps[@]}))]}"
    rm -rf "$work/target"
    # Prints "wall cpu" in seconds for the build it runs.
    cost=$(cd "$app" && CARGO_TARGET_DIR="$work/target" python3 -c '
import resource, subprocess, sys, time
start = time.monotonic()
subprocess.run(sys.argv[1:], check=True)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{time.monotonic() - start:.2f} {usage.ru_utime + usage.ru_stime:.2f}")
' cargo build --release --offline --quiet)
    echo "$r $app $cost" | tee -a "$work/times" >&2
  done
done

python3 - "$work/times" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
cost = {}
for r, app, wall, cpu in rows:
    cost.setdefault(app, {})[int(r)] = (float(wall), float(cpu))
n = len(cost["logfig"])
print()
print(f"clean release build, {n} rounds, seconds: median (min-max)")
print(f"{'app':20} {'wall':>22} {'cpu (user+sys)':>22}")
for app, by_round in cost.items():
    cells = []
    for k in (0, 1):
        xs = [v[k] for v in by_round.values()]
        cells.append(f"{statistics.median(xs):.1f} ({min(xs):.1f}-{max(xs):.1f})")
    print(f"{app:20} {cells[0]:>22} {cells[1]:>22}")
for k, what in ((0, "wall"), (1, "cpu")):
    ratios = [cost["logfig"][r][k] / cost["log4rs"][r][k] for r in cost["logfig"]]
    print(f"logfig / log4rs, {what}, per round: " + ", ".join(f"{x:.2f}" for x in ratios)
          + f"; median {statistics.median(ratios):.2f}")
PY
