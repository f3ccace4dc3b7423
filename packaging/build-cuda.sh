#!/usr/bin/env bash
# Builds the command line and the tests that need no GUI toolkit against a CUDA build of
# LibTorch, then runs dgnam_tests (the DeviceParity tests compare GPU runs with CPU runs; they
# skip without a GPU). Arguments go to that program, e.g. --gtest_filter='DeviceParity.*'.
#
# LibTorch comes from $TORCH_PREFIX if set, else from the Python torch package
# (torch.utils.cmake_prefix_path). $EXTRA_PREFIX adds folders for nlohmann-json, CLI11, stb,
# zlib, protobuf and GoogleTest where they are not installed system-wide (protoc and
# libprotobuf then need LD_LIBRARY_PATH). The graphical front ends are
# left out: this build is for GPU machines without Qt or a display.
set -euo pipefail

source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-"$source_dir/build-cuda"}
torch_prefix=${TORCH_PREFIX:-$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')}
prefix_path="$torch_prefix${EXTRA_PREFIX:+;$EXTRA_PREFIX}"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)

cmake -S "$source_dir" -B "$build_dir" "${generator[@]}" \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix_path" \
  -DDGNAM_BUILD_STUDIO=OFF -DDGNAM_BUILD_LIVE=OFF
cmake --build "$build_dir" --parallel "$(nproc)"
"$build_dir/tests/dgnam_tests" --gtest_brief=1 "$@"
