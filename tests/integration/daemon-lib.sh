#!/bin/bash
# SPDX-License-Identifier: MIT
# Helpers of the daemon integration tests (test-daemon-*.sh), on top of lib.sh.
# Sourced, never run.
#
# Each test runs the built oompolicyd against the real kernel with a private
# policy whose rule names carry $$, so that only processes started here match:
#  - the daemon and every process are started here and killed by PID on exit;
#  - readiness is state.json existing; changes are awaited with bounded polls;
#  - "nothing happened" is asserted after a barrier: a process of the barrier
#    rule is started and awaited. Process events are handled in order, so once
#    the barrier process has its value every earlier event has been handled
#    (after a lost event the daemon rescans, which sees everything as well).
# Exit status: 0 pass, 77 skip, anything else fail.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DAEMON="$top_builddir/src/oompolicyd"
DPID=""          # the running daemon
DLOG=""          # its log (stdout and stderr)
STATE=""         # its state.json
DRUN=0           # daemons started so far by this script
DRC=""           # exit status of the last daemon stopped
DSTOP_MS=""      # how long it took to stop, in milliseconds
DWRAP=()         # start_daemon runs "${DWRAP[@]}" oompolicyd ... (empty: directly)
declare -A FORKTREE_OUT=()  # fork trees of start_forktree not reaped yet: parent PID -> its output
FORKTREES=0      # fork trees started so far
BARRIER_VALUE=97
BARRIER_NAME="oombar-$$"

# lib.sh's fail, plus the daemon's log and state.
fail() {
        echo "FAIL: $*" >&2
        if [[ -n "$DLOG" && -e "$DLOG" ]]; then
                echo "--- daemon log $DLOG (last 80 lines) ---" >&2
                tail -n 80 "$DLOG" >&2
        fi
        if [[ -n "$STATE" && -e "$STATE" ]]; then
                echo "--- $STATE ---" >&2
                cat "$STATE" >&2
        fi
        if [[ -n "${tmp:-}" && -e "$tmp/out" ]]; then
                echo "--- stdout / stderr of the last command ---" >&2
                cat "$tmp/out" "$tmp/err" >&2
        fi
        # Again at the end: CI shows the tail of a failing test's log.
        echo "--- FAIL: $*" >&2
        exit 1
}

# Also kills processes whose PIDs background loops wrote to $tmp/pids/*, and keeps
# the daemon logs in $OOMTEST_KEEP_LOGS (a directory) if that is set.
daemon_cleanup() {
        local f pid
        if [[ -n "${OOMTEST_KEEP_LOGS:-}" && -n "${tmp:-}" ]]; then
                mkdir -p "$OOMTEST_KEEP_LOGS"
                for f in "$tmp"/daemon.*.log; do
                        [[ -e "$f" ]] && cp -- "$f" "$OOMTEST_KEEP_LOGS/$(basename "$0" .sh)-$$-$(basename "$f")"
                done
        fi
        if [[ -n "${tmp:-}" && -d "$tmp/pids" ]]; then
                for f in "$tmp"/pids/*; do
                        [[ -e "$f" ]] || continue
                        while read -r pid; do
                                [[ "$pid" =~ ^[0-9]+$ ]] && kill -KILL "$pid" 2>/dev/null || :
                        done <"$f"
                done
        fi
        end_forktrees
        cleanup
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# daemon_setup: lib.sh's setup, plus everything the daemon tests need.
daemon_setup() {
        setup
        trap daemon_cleanup EXIT
        [[ -x "$DAEMON" ]] || fail "$DAEMON not built"
        require_python
        can_exec_in_tmp || skip "cannot execute copies of binaries under $tmp (noexec?)"
        base=$(cat /proc/self/oom_score_adj)
        # Test values are >= 100 and raising is always allowed; restores go back to $base.
        [[ $base -lt 90 ]] || skip "this shell's oom_score_adj is $base; the tests need a value below 90"
        BIN="$tmp/bin"
        mkdir -p "$tmp/pids"
        copy_binary /bin/sleep "$BIN/$BARRIER_NAME"
        START_MS=$(now_ms)
}

# barrier_rule: the policy text of the barrier rule (every test policy has it).
barrier_rule() {
        printf '[rule:barrier]\nname = %s\noom_score_adj = %s\n' "$BARRIER_NAME" "$BARRIER_VALUE"
}

# test_daemon_section [EXTRA LINES]: a [daemon] section for tests (only events do work;
# children = reset gives back $DEFAULT_ADJ, by default this shell's value).
test_daemon_section() {
        printf '[daemon]\nrescan_interval = 0\ndefault_oom_score_adj = %s\n' "${DEFAULT_ADJ:-$base}"
        [[ $# -eq 0 ]] || printf '%s\n' "$@"
}

# replace_policy PATH: stdin replaces PATH atomically (root-owned 0644, then rename).
replace_policy() {
        write_policy "$1.new"
        mv -f -- "$1.new" "$1"
}

# proc_state PID: the one-letter state of PID, or nothing if it is gone.
proc_state() {
        local s
        s=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
        s=${s##*) }
        echo "${s%% *}"
}

# alive PID: PID exists and is not a zombie.
alive() {
        local s
        s=$(proc_state "$1")
        [[ -n "$s" && "$s" != Z && "$s" != X ]]
}

# forget PID: PID was reaped; cleanup must not kill whatever reuses the number.
forget() {
        local i
        for i in "${!PIDS[@]}"; do
                [[ "${PIDS[$i]}" != "$1" ]] || unset 'PIDS[i]'
        done
        PIDS=("${PIDS[@]}")
        unset 'FORKTREE_OUT[$1]'
}

# stop PID: kills and reaps a process started here.
stop() {
        kill -KILL "$1" 2>/dev/null || :
        wait "$1" 2>/dev/null || :
        forget "$1"
}

# cap_sys_resource [VALUE]: lib.sh's has_cap_sys_resource, without leaving the PID of its
# reaped probe in PIDS (cleanup would kill whatever reuses that number).
cap_sys_resource() {
        local n=${#PIDS[@]} r=0
        has_cap_sys_resource "$@" || r=1
        PIDS=("${PIDS[@]:0:n}")
        return $r
}

# state_written_by PID: state.json exists and was written by PID (not left by a predecessor).
state_written_by() {
        [[ -e "$STATE" ]] && grep -Eq "\"pid\": *$1[,[:space:]]" "$STATE"
}

# start_daemon POLICY [OPTIONS...]: starts the daemon, waits for its first state.json.
# Skips when the proc connector is unavailable, unless ALLOW_FALLBACK=yes.
# DSTATE_DIR=DIR reuses a state directory (as a restart would); DWRAP=(CMD...) runs the
# daemon through a wrapper that ends by exec'ing it (the PID stays the daemon's).
start_daemon() {
        local policy=$1 state_dir i
        shift
        DRUN=$((DRUN + 1))
        DLOG="$tmp/daemon.$DRUN.log"
        state_dir=${DSTATE_DIR:-$tmp/state.$DRUN}
        STATE="$state_dir/state.json"
        echo "+ ${DWRAP[0]:+(through ${DWRAP[0]}) }oompolicyd --config $policy $* (log $DLOG)"
        "${DWRAP[@]}" "$DAEMON" --config "$policy" --log-target=console --log-level=debug --state-dir "$state_dir" "$@" \
                </dev/null >"$DLOG" 2>&1 &
        DPID=$!
        PIDS+=("$DPID")
        for ((i = 0; i < 200; i++)); do
                state_written_by "$DPID" && break
                alive "$DPID" || fail "the daemon exited at start"
                sleep 0.05
        done
        state_written_by "$DPID" || fail "no $STATE from pid $DPID 10 s after the start"
        if [[ "${ALLOW_FALLBACK:-no}" != yes ]] && grep -q "FALLING BACK" "$DLOG"; then
                echo "SKIP: the proc connector is unavailable here: $(grep -m1 "FALLING BACK" "$DLOG")"
                exit 77
        fi
        ok "daemon $DPID ready"
}

expect_daemon_alive() {
        alive "$DPID" || fail "the daemon (pid $DPID) is not running${1:+ ($1)}"
}

# stop_daemon [SIGNAL] [MAX_SECONDS]: signals the daemon, waits at most MAX_SECONDS
# (default 30: a loaded or emulated machine is slow) for it to exit; sets DRC (exit
# status) and DSTOP_MS.
stop_daemon() {
        local sig=${1:-TERM} max=${2:-30} t0 i
        t0=$(now_ms)
        kill "-$sig" "$DPID"
        for ((i = 0; i < max * 100; i++)); do
                alive "$DPID" || break
                sleep 0.01
        done
        alive "$DPID" && fail "the daemon did not exit within $max s of SIG$sig"
        DSTOP_MS=$(($(now_ms) - t0))
        set +e
        wait "$DPID"
        DRC=$?
        set -e
        forget "$DPID"
}

# wait_adj PID VALUE [WHAT] [SECONDS]: polls until PID's oom_score_adj is VALUE (default 60 s).
# The deadlines of these helpers are generous on purpose: they only cost time when a
# test fails, and a guest under TCG or a CI machine under load is many times slower.
wait_adj() {
        local pid=$1 want=$2 what=${3:-} max=${4:-60} have="" i
        for ((i = 0; i < max * 50; i++)); do
                have=$(cat "/proc/$pid/oom_score_adj" 2>/dev/null) || fail "pid $pid is gone while waiting for oom_score_adj $want${what:+ ($what)}"
                [[ "$have" == "$want" ]] && return 0
                sleep 0.02
        done
        fail "pid $pid ($(cat "/proc/$pid/comm" 2>/dev/null)) has oom_score_adj $have, expected $want within $max s${what:+ ($what)}"
}

# barrier: returns once the daemon has handled every event that happened before.
barrier() {
        local pid
        spawn pid "$BIN/$BARRIER_NAME"
        wait_adj "$pid" "$BARRIER_VALUE" "barrier process"
        stop "$pid"
}

# state_py EXPR: prints the Python expression evaluated with j = state.json.
state_py() {
        python3 - "$STATE" "$1" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    j = json.load(f)
print(eval(sys.argv[2]))
EOF
}

counter() { state_py "j['counters']['$1']"; }

# wait_state EXPR [WHAT] [SECONDS]: polls state.json (rewritten at most once a second)
# until the Python expression (j = the state) is true; default 60 s.
wait_state() {
        local expr=$1 what=${2:-$1} max=${3:-60} i
        for ((i = 0; i < max * 10; i++)); do
                [[ "$(state_py "bool($expr)" 2>/dev/null)" == True ]] && return 0
                sleep 0.1
        done
        fail "state.json: not true after $max s: $what"
}

# log_count ERE: number of daemon log lines matching.
log_count() { grep -Ec -- "$1" "$DLOG" || :; }

# wait_log_count ERE N [SECONDS]: polls until the daemon log has at least N lines matching
# (default 60 s); for messages that repeat, e.g. one per reload.
wait_log_count() {
        local i
        for ((i = 0; i < ${3:-60} * 20; i++)); do
                [[ $(log_count "$1") -ge $2 ]] && return 0
                sleep 0.05
        done
        fail "$(log_count "$1") daemon log lines match /$1/ after ${3:-60} s, expected $2"
}

# wait_log ERE [SECONDS]: polls the daemon log for a line (default 60 s).
wait_log() {
        local i
        for ((i = 0; i < ${2:-60} * 20; i++)); do
                grep -Eq -- "$1" "$DLOG" && return 0
                sleep 0.05
        done
        fail "no daemon log line matching /$1/ within ${2:-60} s"
}

# done_ok: final line with the run time.
done_ok() {
        ok "all passed in $(( $(now_ms) - START_MS )) ms"
        exit 0
}

# ---- exec storms ----

# storm_binaries NAME...: $tmp/short/NAME (a copy of true) and $tmp/long/NAME (of sleep).
storm_binaries() {
        local name
        for name in "$@"; do
                copy_binary /bin/true "$tmp/short/$name"
                copy_binary /bin/sleep "$tmp/long/$name"
        done
}

# storm_loop NAME COUNT EVERY TAG: runs $tmp/short/NAME COUNT times, one after the other,
# and every EVERY-th time starts a long-lived $tmp/long/NAME in the background, its PID
# appended to $tmp/pids/long-NAME-TAG.
storm_loop() {
        local name=$1 count=$2 every=$3 tag=$4 i
        for ((i = 0; i < count; i++)); do
                "$tmp/short/$name"
                if ((i % every == every / 2)); then
                        # Lives until the test's cleanup kills it: on a slow machine the
                        # storm alone can outlast any fixed lifetime.
                        "$tmp/long/$name" 86400 </dev/null >/dev/null 2>&1 &
                        echo "$!" >>"$tmp/pids/long-$name-$tag"
                fi
        done
}

# start_storm LOOPS COUNT EVERY NAME...: starts LOOPS parallel storm_loops per NAME in the
# background and returns at once; wait_storm waits for them.
STORM_PIDS=()
STORM_DESC=""
STORM_T0=0
start_storm() {
        local loops=$1 count=$2 every=$3 name k
        shift 3
        STORM_T0=$(now_ms)
        STORM_PIDS=()
        STORM_DESC="$((loops * count * $#)) short-lived processes ($loops loops each of: $*)"
        for ((k = 0; k < loops; k++)); do
                for name in "$@"; do
                        storm_loop "$name" "$count" "$every" "$k" </dev/null >/dev/null 2>&1 &
                        STORM_PIDS+=("$!")
                        PIDS+=("$!")
                done
        done
}

# wait_storm: waits for the loops of start_storm and prints how long the storm took.
wait_storm() {
        local pid rc=0
        for pid in "${STORM_PIDS[@]}"; do
                wait "$pid" || rc=$?
                forget "$pid"
        done
        STORM_PIDS=()
        [[ $rc -eq 0 ]] || fail "a storm loop failed ($rc)"
        ok "storm: $STORM_DESC in $(($(now_ms) - STORM_T0)) ms"
}

# run_storm LOOPS COUNT EVERY NAME...: LOOPS parallel storm_loops per NAME; returns when
# all are done and prints how long that took.
run_storm() {
        start_storm "$@"
        wait_storm
}

# long_pids NAME: the PIDs of the long-lived NAME processes the storms started.
long_pids() {
        cat "$tmp"/pids/long-"$1"-* 2>/dev/null || :
}

# fresh_state: waits until state.json was rewritten after every event so far.
fresh_state() {
        local seen i
        barrier
        seen=$(( $(date +%s%N) / 1000 ))
        # The barrier's adjustment requests a write that happens within a second (the
        # daemon coalesces writes). A write stamped after $seen reflects it. A write
        # already pending may instead land between the adjustment and $seen, and is
        # then the last one: if nothing newer comes within 3 s, the file is fresh.
        # Comparing with the stamp from before the barrier is not enough: a write
        # still pending from a reload can land after that stamp but before the
        # barrier's adjustment.
        for ((i = 0; i < 30; i++)); do
                (( $(state_py "j['updated_usec']") >= seen )) && return 0
                sleep 0.1
        done
}

# ---- refused starts ----

# run_daemon_refused POLICY [OPTIONS...]: the daemon must refuse to start: it exits with a
# non-zero status within 10 s. Sets DLOG and DRC.
run_daemon_refused() {
        local policy=$1 pid i
        shift
        DRUN=$((DRUN + 1))
        DLOG="$tmp/daemon.$DRUN.log"
        echo "+ oompolicyd --config $policy $* (expected to refuse; log $DLOG)"
        "$DAEMON" --config "$policy" --log-target=console --log-level=debug --state-dir "$tmp/state.$DRUN" "$@" \
                </dev/null >"$DLOG" 2>&1 &
        pid=$!
        PIDS+=("$pid")
        for ((i = 0; i < 200; i++)); do
                alive "$pid" || break
                sleep 0.05
        done
        alive "$pid" && fail "the daemon (pid $pid) is still running 10 s after a start it should have refused"
        set +e
        wait "$pid"
        DRC=$?
        set -e
        forget "$pid"
        [[ $DRC -ne 0 ]] || fail "the daemon exited 0; it should have refused to start"
}

# ---- unprivileged users ----

# require_nobody: skips unless processes can be run as nobody:nogroup (setpriv); sets AS_NOBODY
# (a wrapper for spawn) and NOBODY_UID.
require_nobody() {
        command -v setpriv >/dev/null || skip "setpriv (util-linux) is needed to run a process as nobody"
        id nobody >/dev/null 2>&1 && getent group nogroup >/dev/null || skip "needs user nobody and group nogroup"
        NOBODY_UID=$(id -u nobody)
        AS_NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
}

# uid_of PID: the real uid of PID.
uid_of() { awk '/^Uid:/ { print $2 }' "/proc/$1/status"; }

# ---- test helper programs (tests/integration/oomtest-*.c) ----

# helper_copy NAME DEST: an executable copy of the built helper oomtest-NAME at DEST.
helper_copy() {
        local src="$top_builddir/tests/integration/oomtest-$1"
        [[ -x "$src" ]] || fail "$src not built (make check builds it)"
        copy_binary "$src" "$2"
}

# spawn_renamed VAR EXE NAME [WRAPPER...]: starts EXE (a copy of oomtest-rename) through
# WRAPPER, which renames itself to NAME; waits for the rename, records it, PID in VAR.
spawn_renamed() {
        local __var=$1 exe=$2 name=$3 pid i
        shift 3
        "$@" "$exe" "$name" 300 </dev/null >/dev/null 2>&1 &
        pid=$!
        PIDS+=("$pid")
        printf -v "$__var" '%s' "$pid"
        wait_exec "$pid" "$exe"
        for ((i = 0; i < 200; i++)); do
                [[ "$(cat "/proc/$pid/comm")" == "${name:0:15}" ]] && return 0
                sleep 0.01
        done
        fail "process $pid did not rename itself to $name"
}

# read_pid_file VAR FILE: waits (5 s) for FILE to hold a PID, which a process started here
# wrote; records it and stores it in VAR.
read_pid_file() {
        local __var=$1 file=$2 i pid=""
        for ((i = 0; i < 500; i++)); do
                pid=$(cat "$file" 2>/dev/null || :)
                [[ "$pid" =~ ^[0-9]+$ ]] && break
                sleep 0.01
        done
        [[ "$pid" =~ ^[0-9]+$ ]] || fail "no PID in $file"
        PIDS+=("$pid")
        printf -v "$__var" '%s' "$pid"
}

# start_forktree VAR CGROUP EXE [--zombies] COUNT: starts EXE (a copy of oomtest-forktree), in
# cgroup directory CGROUP unless that is empty; VAR gets the tree's parent. wait_forktree
# PID waits until all its children exist. SIGTERM to the parent ends the whole tree.
start_forktree() {
        local __var=$1 cg=$2 exe=$3 out="$tmp/forktree.$FORKTREES.out"
        shift 3
        FORKTREES=$((FORKTREES + 1))
        (if [[ -n "$cg" ]]; then cgroup_join "$cg"; fi && exec "$exe" "$@") </dev/null >"$out" 2>&1 &
        FORKTREE_OUT[$!]=$out
        PIDS+=("$!")
        printf -v "$__var" '%s' "$!"
}

# end_forktrees: SIGTERM to the fork trees started here and not reaped yet; their parents
# kill and reap their own children (faster than leaving thousands to init). Waits 30 s at most.
end_forktrees() {
        local t i
        for t in "${!FORKTREE_OUT[@]}"; do
                kill -TERM "$t" 2>/dev/null || :
        done
        for t in "${!FORKTREE_OUT[@]}"; do
                for ((i = 0; i < 600; i++)); do
                        alive "$t" || break
                        sleep 0.05
                done
        done
}

wait_forktree() {
        local out=${FORKTREE_OUT[$1]} i
        for ((i = 0; i < 1200; i++)); do
                grep -q '^ready' "$out" && return 0
                grep -q '^fork failed' "$out" && fail "fork tree $1: $(cat "$out")"
                alive "$1" || fail "fork tree $1 exited: $(cat "$out")"
                sleep 0.05
        done
        fail "fork tree $1 not ready after 60 s: $(cat "$out")"
}

