#!/usr/bin/env bash
# The bundled pack's acceptance figures (issue 3), measured with the built `dgnam`:
#   1. DGN-AM with the paper's defaults on classifier A's 10 output units, judged by B and by C;
#   2. pixel-space AM on A's output units, plain and with jitter 2 + blur 0.5, judged by B and C;
#   3. DGN-AM against the output units of B (judged by C) and C (judged by A) with A's generator.
# Usage: packaging/check-pack.sh [PACK_DIR] [DGNAM_BINARY]; galleries go to $CHECK_OUT
# (default: a temporary folder, printed at the end).
set -euo pipefail
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pack=${1:-"$source_dir/resources/packs/fashion-mnist"}
dgnam=${2:-"$source_dir/build/app/dgnam"}
out=${CHECK_OUT:-$(mktemp -d -t dgnam-check-XXXXXX)}

run() {
    local name=$1
    shift
    echo "== $name"
    "$dgnam" synthesize --pack "$pack" --layer "$@" --units all --out "$out/$name" --force 2>/dev/null |
        grep -v "gallery written"
}

run dgn_A fc5 --classifier A --judge B
run dgn_A_judged_by_C fc5 --classifier A --judge C
run pixel_A fc5 --classifier A --method pixel --judge B
run pixel_A_judged_by_C fc5 --classifier A --method pixel --judge C
run pixel_A_jitter_blur fc5 --classifier A --method pixel --jitter 2 --blur-sigma 0.5 --judge B
run pixel_A_jitter_blur_judged_by_C fc5 --classifier A --method pixel --jitter 2 --blur-sigma 0.5 --judge C
run dgn_B fc --classifier B --judge C
run dgn_C fc --classifier C --judge A
echo "galleries: $out"
