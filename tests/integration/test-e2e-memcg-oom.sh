#!/bin/bash
# SPDX-License-Identifier: MIT
# End to end, with a real OOM kill confined to a memory cgroup of 64 MiB:
#  - a big decoy (24 MiB) no rule names, and a small process (8 MiB) a rule marks
#    as the preferred victim (oom_score_adj 800, set by the daemon);
#  - oompolicyctl simulate --cgroup predicts the kill order before anything happens;
#  - a third process allocates until the cgroup runs out of memory (it stops at
#    36 MiB, so after the one kill the rest fits again and nothing else dies);
#  - the kernel kills the process the policy chose; oompolicyctl events and the
#    daemon (log line, state.json, metrics) report that kill with its pid, comm
#    and oom_score_adj.
# Badness with totalpages = 16384 (64 MiB of 4 KiB pages, no swap counted):
# victim 2048 + 800 * 16 = 14848 points, hog <= 9216, decoy 6144.
. "$(dirname "$0")/daemon-lib.sh"
daemon_setup

HOG="$top_builddir/tests/integration/oomtest-memhog"
[[ -x "$HOG" ]] || fail "$HOG not built"
[[ -r /dev/kmsg ]] || skip "/dev/kmsg is not readable"

# A memory cgroup of our own, on v2 (unified, memory controller available at the
# root) or on the v1 memory hierarchy.
CG_NAME="oompolicy-e2e-$$"
make_limited_memcg CG_DIR "$CG_NAME" 64M

VICTIM="oome2e-v$$"
DECOY="oome2e-d$$"
HOGNAME="oome2e-h$$"
copy_binary "$HOG" "$BIN/$VICTIM"
copy_binary "$HOG" "$BIN/$DECOY"
copy_binary "$HOG" "$BIN/$HOGNAME"
write_policy "$tmp/policy.conf" <<EOF
$(barrier_rule)
[rule:preferred-victim]
name = $VICTIM
oom_score_adj = 800
$(test_daemon_section "metrics_file = $tmp/metrics.prom")
EOF

start_daemon "$tmp/policy.conf"
[[ "$(state_py "j['kernel_log']")" == True ]] || fail "the daemon does not follow the kernel log"

# in_cgroup VAR MIB [STEP_MS] NAME: starts $BIN/NAME MIB [STEP_MS] inside the cgroup.
in_cgroup() {
        local __var=$1 name=$2
        shift 2
        # shellcheck disable=SC2016
        /bin/sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$CG_DIR" "$BIN/$name" "$@" \
                </dev/null >/dev/null 2>&1 &
        PIDS+=("$!")
        printf -v "$__var" '%s' "$!"
        wait_exec "$!" "$BIN/$name"
}

# rss_kb PID: VmRSS of PID.
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# wait_rss PID KB: until PID has at least KB resident.
wait_rss() {
        local i
        for ((i = 0; i < 100; i++)); do
                [[ "$(rss_kb "$1" 2>/dev/null || echo 0)" -ge $2 ]] && return 0
                sleep 0.05
        done
        fail "pid $1 did not reach $2 kB resident"
}

in_cgroup decoy "$DECOY" 24
in_cgroup victim "$VICTIM" 8
wait_rss "$decoy" $((24 * 1024))
wait_rss "$victim" $((8 * 1024))
wait_adj "$victim" 800 "rule preferred-victim"
expect_adj "$decoy" "$base" "no rule names the decoy"
cg_path=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { v1 = $3 } $1 == "0" { v2 = $3 } END { print (v1 != "" ? v1 : v2) }' "/proc/$victim/cgroup")
ok "decoy $decoy (24 MiB) and victim $victim (8 MiB, oom_score_adj 800) in $cg_path"

# The prediction, before anything runs out.
ctl simulate --config "$tmp/policy.conf" --cgroup "$cg_path" --json
expect_rc 0
json_check "len(j) == 2 and j[0]['pid'] == $victim and j[0]['oom_score_adj'] == 800 and j[0]['rule'] is not None and j[1]['pid'] == $decoy"
ctl simulate --config "$tmp/policy.conf" --cgroup "$cg_path"
expect_rc 0
expect_line out "Victim: PID $victim \($VICTIM\), [0-9]+ points\."
ok "simulate --cgroup predicts $victim ($VICTIM) as the victim"

# Run the cgroup out of memory.
in_cgroup hog "$HOGNAME" 36 5
for ((i = 0; i < 200; i++)); do
        alive "$victim" || break
        sleep 0.05
done
alive "$victim" && fail "no OOM kill within 10 s (victim $victim still alive)"
set +e
wait "$victim"
victim_status=$?
set -e
forget "$victim"
[[ $victim_status -eq $((128 + 9)) ]] || fail "victim $victim ended with status $victim_status, not SIGKILL"
alive "$decoy" || fail "the decoy $decoy was killed too"
ok "the kernel killed $victim ($VICTIM), the process the policy chose"

# What the kernel reported, as oompolicyctl events reads it from /dev/kmsg.
for ((i = 0; i < 50; i++)); do
        ctl events --json
        python3 - "$tmp/out" "$victim" >"$tmp/event" <<'PY' && break
import json, sys
for e in json.load(open(sys.argv[1])):
    if e["victim_pid"] == int(sys.argv[2]):
        print(json.dumps(e))
        sys.exit(0)
sys.exit(1)
PY
        sleep 0.1
done
[[ -s "$tmp/event" ]] || fail "oompolicyctl events does not show the kill of $victim"
python3 - "$tmp/event" "$VICTIM" <<'PY' || fail "oompolicyctl events: wrong details: $(cat "$tmp/event")"
import json, sys
e = json.load(open(sys.argv[1]))
assert e["victim_comm"] == sys.argv[2], e
assert e["victim_oom_score_adj"] == 800, e
assert e["scope"] == "memcg", e
assert e["victim_uid"] in (0, None), e
PY
ok "oompolicyctl events: pid $victim, comm $VICTIM, oom_score_adj 800, memcg"

wait_log "OOM kill \(memory cgroup [^)]*\): pid $victim \($VICTIM\) uid 0, rss [0-9]+ kB, oom_score_adj 800; rule preferred-victim \(oom_score_adj 800, $tmp/policy.conf:6\)\.$" 10
wait_state "j['counters']['oom_kills_memcg'] >= 1" "the daemon counted the memcg kill"
for ((i = 0; i < 50; i++)); do
        grep -Eq '^oompolicyd_oom_kills_total\{scope="memcg"\} [1-9]' "$tmp/metrics.prom" 2>/dev/null && break
        sleep 0.1
done
grep -Eq '^oompolicyd_oom_kills_total\{scope="memcg"\} [1-9]' "$tmp/metrics.prom" || fail "metrics do not count the memcg kill"
ok "the daemon logged the kill with its rule and counted it: $(grep -m1 "OOM kill" "$DLOG")"
stop_daemon TERM
done_ok
