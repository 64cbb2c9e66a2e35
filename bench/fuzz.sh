#!/bin/bash
# Usage: bench/fuzz.sh SECONDS [TARGET...]
#
# Builds the libFuzzer targets in build-fuzz/ (./configure --enable-fuzzing:
# clang, ASan + UBSan, the whole build instrumented) and runs each TARGET
# (default: all of fuzz/fuzz-*.c) for SECONDS at nice 10, starting from a
# scratch copy of fuzz/corpus/TARGET, so the tree's corpus stays as it is, with
# the dictionary fuzz/TARGET.dict where there is one. Prints
# per target: executions, executions per second, coverage (edges and features
# as libFuzzer counts them), corpus size before and after, and findings.
#
# A finding stops its target; the reproducer is kept in
# build-fuzz/findings/TARGET/ (replay it with build-fuzz/build/fuzz/fuzz-TARGET
# FILE, or fuzz/replay-TARGET FILE in any build). After fixing the bug, add it to
# fuzz/corpus/TARGET/ so `make check` replays it from then on.
#
# Environment:
#   FUZZ_JOBS=N      targets run at once (default 1; the machine is shared)
#   FUZZ_MERGE=1     afterwards, merge inputs with new coverage into
#                    fuzz/corpus/TARGET (libFuzzer -merge=1: only what adds
#                    coverage; keep the corpora small, < ~200 files)
#   FUZZ_ARGS="..."  extra libFuzzer options (e.g. -max_len=8192)
# Exit status: 0 without findings, 1 with findings, 2 on usage or build errors.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
usage() { echo "usage: $0 SECONDS [TARGET...]   (targets: $(cd "$top/fuzz" && ls fuzz-*.c | sed -e 's/^fuzz-//' -e 's/\.c$//' | tr '\n' ' '))" >&2; exit 2; }
[[ $# -ge 1 && $1 =~ ^[0-9]+$ && $1 -gt 0 ]] || usage
seconds=$1
shift
if [[ $# -gt 0 ]]; then
        targets=("$@")
else
        mapfile -t targets < <(cd "$top/fuzz" && ls fuzz-*.c | sed -e 's/^fuzz-//' -e 's/\.c$//' | grep -vx main)
fi
for t in "${targets[@]}"; do
        [[ -f $top/fuzz/fuzz-$t.c && $t != main ]] || { echo "no fuzz target '$t'" >&2; usage; }
done
jobs_max=${FUZZ_JOBS:-1}

out=$top/build-fuzz
build=$(nice -n 10 "$top/tools/build-out-of-tree" build-fuzz --enable-fuzzing | tail -n 1) || {
        echo "building the fuzzers failed" >&2
        exit 2
}

# The sanitizers abort on the first error (-fno-sanitize-recover); leaks count too.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:symbolize=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

run_target() {
        local t=$1 corpus=$out/corpus/$1 findings=$out/findings/$1 log=$out/logs/$1.log rc=0
        local -a dict=()
        rm -rf "$corpus"
        mkdir -p "$corpus" "$findings" "$out/logs"
        cp -rp "$top/fuzz/corpus/$t/." "$corpus/"
        [[ ! -f $top/fuzz/$t.dict ]] || dict=(-dict="$top/fuzz/$t.dict")
        # shellcheck disable=SC2086
        nice -n 10 "$build/fuzz/fuzz-$t" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
                -artifact_prefix="$findings/" "${dict[@]}" ${FUZZ_ARGS:-} "$corpus" >"$log" 2>&1 || rc=$?
        echo "$rc" >"$out/logs/$t.rc"
        if [[ ${FUZZ_MERGE:-0} == 1 && $rc -eq 0 ]]; then
                nice -n 10 "$build/fuzz/fuzz-$t" -merge=1 "$top/fuzz/corpus/$t" "$corpus" >>"$log" 2>&1 || :
        fi
}

echo "fuzzing ${targets[*]} for ${seconds}s each (${jobs_max} at a time); logs in $out/logs/" >&2
rm -rf "$out/findings" "$out/logs"
for t in "${targets[@]}"; do
        while [[ $(jobs -rp | wc -l) -ge $jobs_max ]]; do
                wait -n || :
        done
        run_target "$t" &
done
wait

status=0
printf '%-12s %8s %12s %9s %7s %7s %13s  %s\n' target seconds executions exec/s cov ft corpus findings
for t in "${targets[@]}"; do
        log=$out/logs/$t.log
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
        # The last status line: "#N  DONE  cov: C ft: F corp: N/SIZE ..."
        last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1 || :)
        cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
        ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
        corp_in=$(find "$top/fuzz/corpus/$t" -type f | wc -l)
        corp_out=$(find "$out/corpus/$t" -type f | wc -l)
        mapfile -t found < <(find "$out/findings/$t" -type f -printf '%f\n' | sort)
        if [[ ${#found[@]} -gt 0 || $(cat "$out/logs/$t.rc") -ne 0 ]]; then
                status=1
                summary="${#found[@]}: ${found[*]:-none saved} (exit $(cat "$out/logs/$t.rc"); see $log)"
        else
                summary=0
        fi
        printf '%-12s %8s %12s %9s %7s %7s %13s  %s\n' "$t" "$seconds" "${execs:-?}" "${rate:-?}" "${cov:-?}" \
                "${ft:-?}" "$corp_in->$corp_out" "$summary"
done
exit $status
