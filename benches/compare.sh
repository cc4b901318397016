#!/usr/bin/env bash
# Two charte binaries side by side in one run, on the same inputs: the
# measurements issue #14 (the application layer) asks for, before and after.
#   bash benches/compare.sh BEFORE/charte AFTER/charte [CHARTE-BENCH]
# Each workspace is prepared once by BEFORE (an older binary cannot open a
# newer schema), then copied; AFTER opens its copy once before being
# measured, so that the schema upgrade is not counted. Not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
A=$(realpath "$1"); B=$(realpath "$2")
BENCH=${3:-${CARGO_TARGET_DIR:-target}/release/charte-bench}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
measure() { /usr/bin/time -f "    %e s wall, %U s user, %S s sys, %M KB peak" "$@"; }
side() { # LABEL WORKSPACE-TEMPLATE ARGS… : each binary on its own copy, alternating, twice
    local label=$1 tpl=$2; shift 2
    for round in 1 2; do
        for which in before after; do
            local bin=$A; [ "$which" = after ] && bin=$B
            rm -rf "$T/run"; cp -a "$tpl" "$T/run"
            [ "$which" = after ] && "$bin" --dir "$T/run" --now 2026-01-02 status >/dev/null
            echo "  $label, $which (round $round)"
            measure "$bin" --dir "$T/run" "$@" | tail -1
        done
    done
}
new_workspace() { # DIR N
    mkdir -p "$1"
    cp -r fixtures/woluwe-saint-lambert/charte.toml fixtures/woluwe-saint-lambert/charter "$1/"
    "$BENCH" roster "$2" > "$T/roster-$2.csv"
    "$A" --dir "$1" --now 2026-01-02 members import "$T/roster-$2.csv" >/dev/null
    "$A" --dir "$1" --now 2026-01-02 keys init >/dev/null
}

echo "== issue --all, 1,000 organisations"
new_workspace "$T/w1k" 1000
side "issue --all" "$T/w1k" --now 2026-01-05 issue --all

echo "== the adhesion workflow, 1,000 organisations: the reminder day (2,000 messages), then the same day again"
new_workspace "$T/a1k" 1000
"$A" --dir "$T/a1k" --now 2026-01-05 run adhesion >/dev/null
side "run adhesion on day 14" "$T/a1k" --now 2026-01-19 run adhesion
"$A" --dir "$T/a1k" --now 2026-01-19 run adhesion >/dev/null
side "run adhesion on day 14 again (nothing due)" "$T/a1k" --now 2026-01-19 run adhesion

echo "== collect, 10,000 returned documents signed with the organisations' own keys"
new_workspace "$T/c10k" 10000
"$A" --dir "$T/c10k" --now 2026-01-05 issue --all >/dev/null
"$BENCH" sign-all "$T/c10k" "$T/signed" >/dev/null
side "collect 10,000" "$T/c10k" --now 2026-01-25 collect "$T"/signed/*.pdf
