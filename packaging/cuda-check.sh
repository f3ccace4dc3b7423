#!/usr/bin/env bash
# Everything worth running on a machine with a CUDA GPU, in one go, for its figures: the CUDA
# build with the GPU-against-CPU DeviceParity tests (build-cuda.sh), dgnam doctor, dgnam bench on
# the GPU (bundled pack and paper scale, fast and straightforward, then paper scale in bfloat16),
# a 10-unit gallery made on the GPU, and every test suite in a process of its own (so that one
# crashing suite cannot hide the others' results).
#
#   packaging/cuda-check.sh [OUT_DIR]      logs, bench JSON and the gallery (default: cuda-check)
#
# DEVICE (default cuda:0) is the device to bench on; DEVICE=cpu walks the same steps without a
# GPU. BENCH_STEPS (default 30) timed steps per bench row. TORCH_PREFIX, EXTRA_PREFIX and
# BUILD_DIR as for build-cuda.sh. Exits non-zero when any step failed; the steps after it still run.
set -uo pipefail

source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-cuda-check}
device=${DEVICE:-cuda:0}
steps=${BENCH_STEPS:-30}
export BUILD_DIR=${BUILD_DIR:-"$source_dir/build-cuda"}
mkdir -p "$out"
started=$(date +%s)
step() { echo "== $(($(date +%s) - started)) s: $*"; }
failed=()

step "build, then the DeviceParity tests (log: $out/build.log)"
bash "$source_dir/packaging/build-cuda.sh" --gtest_filter='DeviceParity.*' >"$out/build.log" 2>&1
case $? in
0) ;;
77) # every DeviceParity test skipped itself: no GPU visible to this LibTorch
    echo "DeviceParity skipped: this LibTorch sees no GPU"
    [[ $device == cuda* ]] && failed+=(no-gpu) ;;
*) failed+=(build-or-parity) ;;
esac
grep -E "error:|\[  (PASSED|FAILED|SKIPPED) |tests? ran" "$out/build.log" | head -40
dgnam="$BUILD_DIR/app/dgnam"
if [ ! -x "$dgnam" ]; then
    echo "the build failed; see $out/build.log"
    exit 1
fi

step "dgnam doctor"
"$dgnam" doctor --device "$device" 2>&1 | tee "$out/doctor.txt" || failed+=(doctor)

step "dgnam bench on $device, float32"
"$dgnam" bench --device "$device" --warmup 3 --steps "$steps" --json "$out/bench.json" \
    --batches 1 8 32 2>&1 | tee "$out/bench.txt" || failed+=(bench)

step "dgnam bench on $device, paper scale in bfloat16"
"$dgnam" bench --device "$device" --precision bfloat16 --scenario paper --warmup 3 \
    --steps "$steps" --no-baseline --json "$out/bench-bfloat16.json" --batches 1 8 32 2>&1 |
    tee "$out/bench-bfloat16.txt" || failed+=(bench-bfloat16)

step "a gallery of the bundled pack's 10 output units on $device"
"$dgnam" synthesize --device "$device" --units 0-9 --batch 10 --force --out "$out/gallery" \
    >"$out/gallery.log" 2>&1 || failed+=(gallery)
tail -3 "$out/gallery.log"

step "every test suite, one process each (log: $out/ctest.log)"
ctest --test-dir "$BUILD_DIR" -j "$(nproc)" --timeout 600 >"$out/ctest.log" 2>&1 || failed+=(suites)
grep -E "tests passed|\(Failed\)|\(Subprocess|\(Timeout|\(SEGFAULT|Not Run" "$out/ctest.log"

step "done"
if [ ${#failed[@]} -gt 0 ]; then
    echo "failed: ${failed[*]}"
    exit 1
fi
