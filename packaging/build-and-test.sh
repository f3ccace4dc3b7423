#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole test suite with CTest, then the
# fuzz targets of the file readers for a bounded time each.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh
cmake --preset dev
cmake --build --preset dev
ctest --preset dev
# The file readers under libFuzzer (clang, AddressSanitizer + UBSan), a bounded time each.
cmake --preset fuzz
cmake --build --preset fuzz
ctest --preset fuzz
