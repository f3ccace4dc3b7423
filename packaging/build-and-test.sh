#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole test suite with CTest under
# AddressSanitizer + UBSan, the worker's hand-off tests under ThreadSanitizer, then the fuzz
# targets of the file readers for a bounded time each. (The everyday `dev` preset runs the same
# suite without sanitizers, faster; CI has room for one full build.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh
for preset in asan tsan fuzz; do
    cmake --preset "$preset"
    cmake --build --preset "$preset"
    ctest --preset "$preset"
done
