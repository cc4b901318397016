#!/usr/bin/env bash
# The adhesion workflow for 10,000 organisations with the outbox transport:
# day 0 (issue and mail), a re-run the same day, the reminder day, the
# escalation day, each re-run. Called by benches/run.sh; alone:
#   bash benches/adhesion.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
R=${CARGO_TARGET_DIR:-target}/release
[ -x "$R/charte" ] || cargo build --release --bins --quiet
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
measure() { /usr/bin/time -f "    %e s wall, %U s user, %S s sys, %M KB peak" "$@"; }
WS="$T/ws"
mkdir -p "$WS"
cp -r fixtures/woluwe-saint-lambert/charte.toml fixtures/woluwe-saint-lambert/charter "$WS/"
"$R/charte-bench" roster "$N" > "$T/roster.csv"
"$R/charte" --dir "$WS" --now 2026-01-02 members import "$T/roster.csv" >/dev/null
"$R/charte" --dir "$WS" --now 2026-01-02 keys init >/dev/null
for day in 2026-01-05 2026-01-19 2026-02-19; do
    echo "== adhesion, $N organisations: the run of $day"
    measure "$R/charte" --dir "$WS" --now "$day" run adhesion
    echo "== the same day again"
    measure "$R/charte" --dir "$WS" --now "$day" run adhesion
done
echo "== status --json on the last day"
measure "$R/charte" --dir "$WS" --now 2026-02-19 status adhesion --json > "$T/status.json"
echo "    $(ls "$WS/out/outbox" | wc -l) messages in the outbox, $(du -sh "$WS/out/outbox" | cut -f1)"
