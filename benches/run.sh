#!/usr/bin/env bash
# charte's benchmarks (BENCHMARKS.md records what they printed and when).
# Run from the repository root on a quiet machine:
#   bash benches/run.sh [typst-cli-binary]
# Builds the release binaries, then measures each target of the issues with
# /usr/bin/time (wall time, CPU time, peak memory). Not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bins --quiet
R=${CARGO_TARGET_DIR:-target}/release
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
TYPST=${1:-}
measure() { /usr/bin/time -f "    %e s wall, %U s user, %S s sys, %M KB peak" "$@"; }

echo "== roster: import of 10,000 organisations"
"$R/charte" init --replay "$T/roster" >/dev/null
"$R/charte-bench" roster 10000 > "$T/r10k.csv"
measure "$R/charte" --dir "$T/roster" members import "$T/r10k.csv" | head -1
echo "== roster: the same import again (nothing changes)"
measure "$R/charte" --dir "$T/roster" members import "$T/r10k.csv" | head -1

echo "== journal: appending 100,000 events (transactions of 10,000)"
"$R/charte" --now 2025-12-31 init --replay "$T/journal" >/dev/null
"$R/charte" --dir "$T/journal" keys init >/dev/null
measure "$R/charte-bench" journal 100000 --dir "$T/journal"
echo "== journal: growing it to 1,000,000 events, a checkpoint every 100,000 (issue 16)"
"$R/charte" --dir "$T/journal" --now 2026-01-01 checkpoint >/dev/null
for i in 1 2 3 4 5 6 7 8 9; do
  "$R/charte-bench" journal 100000 --dir "$T/journal" >/dev/null
  "$R/charte" --dir "$T/journal" --now 2026-01-01 checkpoint >/dev/null
done
echo "== journal: audit of the 1,000,000-event journal (chain, tree, checkpoints, tables)"
measure "$R/charte" --dir "$T/journal" audit
echo "== journal: the audit's parts, one by one"
"$R/charte-bench" audit "$T/journal"
echo "== journal: consistency proofs in a tree of 1,000,000 entries"
for old in 999999 500000 123457 1; do "$R/charte-bench" consistency "$T/journal" "$old" 1000000; done

echo "== documents: issuing 1,000 adherence documents (4 pages, PDF/A-3b, sealed)"
mkdir -p "$T/docs"
cp -r fixtures/woluwe-saint-lambert/charte.toml fixtures/woluwe-saint-lambert/charter "$T/docs/"
head -1001 "$T/r10k.csv" > "$T/r1k.csv"
"$R/charte" --dir "$T/docs" members import "$T/r1k.csv" >/dev/null
"$R/charte" --dir "$T/docs" keys init >/dev/null
measure "$R/charte" --dir "$T/docs" --now 2026-01-05 issue --all
echo "== documents: re-issuing the same 1,000 (nothing changed)"
measure "$R/charte" --dir "$T/docs" --now 2026-01-06 issue --all

echo "== documents: issuing for 10,000 organisations, then re-issuing with nothing changed"
mkdir -p "$T/docs10k"
cp -r fixtures/woluwe-saint-lambert/charte.toml fixtures/woluwe-saint-lambert/charter "$T/docs10k/"
"$R/charte" --dir "$T/docs10k" members import "$T/r10k.csv" >/dev/null
"$R/charte" --dir "$T/docs10k" keys init >/dev/null
measure "$R/charte" --dir "$T/docs10k" --now 2026-01-05 issue --all
measure "$R/charte" --dir "$T/docs10k" --now 2026-01-06 issue --all

echo "== collect: 10,000 returned documents signed with the organisations' own keys"
"$R/charte-bench" sign-all "$T/docs10k" "$T/signed" >/dev/null
measure "$R/charte" --dir "$T/docs10k" --now 2026-01-25 collect "$T"/signed/*.pdf | tail -1

echo "== federation: generating 10,000 organisations and 1,000,000 attendance lines through the store"
measure "$R/charte-bench" federation "$T/fed"
echo "== federation: its audit with a checkpoint, and the audit's parts"
"$R/charte" --dir "$T/fed" keys init >/dev/null
"$R/charte" --dir "$T/fed" --now 2026-12-31 checkpoint >/dev/null
measure "$R/charte" --dir "$T/fed" audit
"$R/charte-bench" audit "$T/fed"
echo "== federation: annual report of 2026 (JSON, CSV, sealed PDF)"
measure "$R/charte" --dir "$T/fed" --now 2026-12-31 report annual --year 2026 --json >/dev/null
echo "== federation: flags of 2026"
measure "$R/charte" --dir "$T/fed" --now 2026-12-31 flags --year 2026 --json >/dev/null

if [ -n "$TYPST" ]; then
    echo "== peer: the typst command line once per document, same template and data, 100 documents"
    "$R/charte-bench" typst-inputs "$T/docs" "$T/typst" 100 >/dev/null
    start=$(date +%s.%N)
    measure bash -c "for f in $T/typst/*/main.typ; do \"$TYPST\" compile --root \"\$(dirname \$f)\" --pdf-standard a-3b --creation-timestamp 1767571200 \"\$f\" \"\${f%.typ}.pdf\"; done"
fi

echo "== workflow: the adhesion workflow for 10,000 organisations (day 0, reminder, escalation)"
bash benches/adhesion.sh 10000
