#!/bin/bash
# SPDX-License-Identifier: MIT
# Helpers of the top/explain/simulate integration tests. Sourced after lib.sh.

MEMHOG="$top_builddir/tests/integration/oomtest-memhog"

# inspect_setup: setup plus what these tests need.
inspect_setup() {
        setup
        require_python
        [[ -x "$MEMHOG" ]] || fail "$MEMHOG not built (make check builds it)"
        can_exec_in_tmp || skip "cannot execute copies of binaries under $tmp (noexec?)"
        # The test processes inherit our oom_score_adj and only raising it needs no privilege.
        base=$(cat /proc/self/oom_score_adj)
        [[ $base -ge -1000 && $base -le 0 ]] || skip "this shell's oom_score_adj is $base; the test raises values from <= 0"
}

# spawn_hog VAR NAME MIB ADJ [CGROUP_DIR]: starts a copy of memhog named NAME holding
# MIB MiB of anonymous memory (first moved into the cgroup directory CGROUP_DIR, if
# given, so that all its memory is charged there), waits until the memory is
# resident, sets its oom_score_adj to ADJ, records it and stores its PID in VAR.
spawn_hog() {
        local __var=$1 name=$2 mib=$3 adj=$4 cg=${5:-} pid i
        local ready="$tmp/ready.$name"

        [[ -x "$tmp/bin/$name" ]] || copy_binary "$MEMHOG" "$tmp/bin/$name"
        rm -f "$ready"
        if [[ -n "$cg" ]]; then
                # The shell joins the cgroup, then execs: the hog is born there.
                sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" "$3" 0 "$4"' sh "$cg" "$tmp/bin/$name" "$mib" "$ready" \
                        </dev/null >/dev/null 2>"$tmp/hog-err.$name" &
        else
                "$tmp/bin/$name" "$mib" 0 "$ready" </dev/null >/dev/null 2>"$tmp/hog-err.$name" &
        fi
        pid=$!
        PIDS+=("$pid")
        for ((i = 0; i < 400; i++)); do
                [[ -e "$ready" ]] && break
                kill -0 "$pid" 2>/dev/null || fail "memhog $name exited at start: $(cat "$tmp/hog-err.$name")"
                sleep 0.025
        done
        [[ -e "$ready" ]] || fail "memhog $name did not get its $mib MiB within 10 s"
        echo "$adj" >"/proc/$pid/oom_score_adj" || fail "cannot set oom_score_adj $adj on $pid"
        printf -v "$__var" '%s' "$pid"
}

# totalpages: the global totalpages of oom_badness(), (MemTotal + SwapTotal) in pages.
totalpages() {
        local page_kb=$(($(getconf PAGESIZE) / 1024))
        awk -v p="$page_kb" '/^MemTotal:/ {m = $2} /^SwapTotal:/ {s = $2} END {print int(m / p) + int(s / p)}' /proc/meminfo
}

# oom_scores PID...: "PID OOM_SCORE" lines read from the kernel now.
oom_scores() {
        local pid
        for pid in "$@"; do
                echo "$pid $(cat "/proc/$pid/oom_score")"
        done
}
