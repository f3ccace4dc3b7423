#!/usr/bin/env bash
# One fuzz target under CTest: replays every regression input (crashes found before, each now a
# test), then fuzzes a scratch copy of the seed corpus for a bounded time. A crash leaves its
# input in WORK/ and fails; copy it into tests/fuzz/regressions/<target>/ once it is fixed.
# Usage: run_fuzzer.sh TARGET SEEDS REGRESSIONS WORK SECONDS
set -euo pipefail
target=$1 seeds=$2 regressions=$3 work=$4 seconds=$5

# LibTorch's own allocations are not instrumented and its OpenMP pool lives for the process:
# leak reports would be about them, not the readers.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export OMP_NUM_THREADS=1

rm -rf "$work" && mkdir -p "$work/corpus"
if compgen -G "$regressions/*" >/dev/null; then
    echo "replaying $(ls "$regressions" | wc -l) regression inputs from $regressions"
    "$target" -rss_limit_mb=4096 "$regressions"/*
fi
cp "$seeds"/* "$work/corpus/"
# -timeout: one input taking longer than 20 s is a hang; -rss_limit_mb: a file that makes the
# reader allocate gigabytes is a bug (sizes are checked before allocating).
"$target" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -malloc_limit_mb=2048 \
    -artifact_prefix="$work/" -print_final_stats=1 "$work/corpus"
echo "fuzz: no crash in ${seconds} s"
