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
        echo "---" >&2
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

# start_daemon POLICY [OPTIONS...]: starts the daemon, waits for its first state.json.
# Skips when the proc connector is unavailable, unless ALLOW_FALLBACK=yes.
start_daemon() {
        local policy=$1 i
        shift
        DRUN=$((DRUN + 1))
        DLOG="$tmp/daemon.$DRUN.log"
        STATE="$tmp/state.$DRUN/state.json"
        echo "+ oompolicyd --config $policy $* (log $DLOG)"
        "$DAEMON" --config "$policy" --log-target=console --log-level=debug --state-dir "$tmp/state.$DRUN" "$@" \
                </dev/null >"$DLOG" 2>&1 &
        DPID=$!
        PIDS+=("$DPID")
        for ((i = 0; i < 200; i++)); do
                [[ -e "$STATE" ]] && break
                alive "$DPID" || fail "the daemon exited at start"
                sleep 0.05
        done
        [[ -e "$STATE" ]] || fail "no $STATE 10 s after the start"
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
# (default 2) for it to exit; sets DRC (exit status) and DSTOP_MS.
stop_daemon() {
        local sig=${1:-TERM} max=${2:-2} t0 i
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

# wait_adj PID VALUE [WHAT] [SECONDS]: polls until PID's oom_score_adj is VALUE (default 10 s).
wait_adj() {
        local pid=$1 want=$2 what=${3:-} max=${4:-10} have="" i
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
# until the Python expression (j = the state) is true; default 5 s.
wait_state() {
        local expr=$1 what=${2:-$1} max=${3:-5} i
        for ((i = 0; i < max * 10; i++)); do
                [[ "$(state_py "bool($expr)" 2>/dev/null)" == True ]] && return 0
                sleep 0.1
        done
        fail "state.json: not true after $max s: $what"
}

# log_count ERE: number of daemon log lines matching.
log_count() { grep -Ec -- "$1" "$DLOG" || :; }

# wait_log ERE [SECONDS]: polls the daemon log for a line (default 5 s).
wait_log() {
        local i
        for ((i = 0; i < ${2:-5} * 20; i++)); do
                grep -Eq -- "$1" "$DLOG" && return 0
                sleep 0.05
        done
        fail "no daemon log line matching /$1/ within ${2:-5} s"
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
                        "$tmp/long/$name" 100 </dev/null >/dev/null 2>&1 &
                        echo "$!" >>"$tmp/pids/long-$name-$tag"
                fi
        done
}

# run_storm LOOPS COUNT EVERY NAME...: LOOPS parallel storm_loops per NAME; returns when
# all are done and prints how long that took.
run_storm() {
        local loops=$1 count=$2 every=$3 name k pid t0 rc=0
        local -a loop_pids=()
        shift 3
        t0=$(now_ms)
        for ((k = 0; k < loops; k++)); do
                for name in "$@"; do
                        storm_loop "$name" "$count" "$every" "$k" </dev/null >/dev/null 2>&1 &
                        loop_pids+=("$!")
                        PIDS+=("$!")
                done
        done
        for pid in "${loop_pids[@]}"; do
                wait "$pid" || rc=$?
                forget "$pid"
        done
        [[ $rc -eq 0 ]] || fail "a storm loop failed ($rc)"
        ok "storm: $((loops * count * $#)) short-lived processes in $(($(now_ms) - t0)) ms ($loops loops each of: $*)"
}

# long_pids NAME: the PIDs of the long-lived NAME processes the storms started.
long_pids() {
        cat "$tmp"/pids/long-"$1"-* 2>/dev/null || :
}

# fresh_state: waits until state.json was rewritten after every event so far.
fresh_state() {
        local before i
        before=$(state_py "j['updated_usec']")
        barrier
        for ((i = 0; i < 50; i++)); do
                [[ "$(state_py "j['updated_usec']")" != "$before" ]] && return 0
                sleep 0.1
        done
        fail "state.json was not rewritten within 5 s of an adjustment"
}
