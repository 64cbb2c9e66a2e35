#!/bin/bash
# SPDX-License-Identifier: MIT
# oompolicyd killed with SIGKILL in the middle of an exec storm and restarted
# (same state directory) while the storm goes on. While it is down,
# oompolicyctl status calls its state.json stale, long-lived matching processes
# start unobserved and a children = reset parent spawns a child that inherits
# the parent's protection. After the restart every long-lived matching process
# of the storm has the rule's value (before, during and after the outage), no
# decoy was touched, the child was given default_oom_score_adj back (lineage
# learnt by the start-up scan), and status reports the new daemon.
set -euo pipefail
. "$(dirname "$0")/daemon-lib.sh"

daemon_setup
M="oomkm-$$"       # matched
D="oomkd-$$"       # decoy
PAR="oomkp-$$"     # children = reset parent (a copy of bash)
storm_binaries "$M" "$D"
copy_binary "$(readlink -f /bin/bash)" "$BIN/$PAR"
DEFAULT_ADJ=$((base + 5))
DSTATE_DIR="$tmp/state"

policy="$tmp/policy.conf"
write_policy "$policy" <<EOF
[rule:storm]
name = $M
oom_score_adj = 330

[rule:parent]
name = $PAR
oom_score_adj = 200
children = reset

$(barrier_rule)

$(test_daemon_section)
EOF

# long_count: long-lived processes the storm has started so far.
long_count() { cat "$tmp"/pids/long-* 2>/dev/null | wc -l; }

start_daemon "$policy"
first=$DPID

# The parent starts /bin/sleep once $tmp/go exists and writes its PID to $tmp/child.
mkfifo "$tmp/fifo"
"$BIN/$PAR" -c 'while [[ ! -e $1/go ]]; do read -r -t 0.02 _ <>"$1/fifo" || :; done
/bin/sleep 300 </dev/null >/dev/null 2>&1 &
echo $! >"$1/child"
wait' "$PAR" "$tmp" </dev/null >/dev/null 2>&1 &
parent=$!
PIDS+=("$parent")
wait_exec "$parent" "$BIN/$PAR"
wait_adj "$parent" 200 "children = reset parent, first daemon"

# 2 loops per name x 2000 = 4000 matching and 4000 decoys; a long-lived one every 40th.
start_storm 2 2000 40 "$M" "$D"
for ((i = 0; i < 500; i++)); do
        [[ $(long_count) -ge 20 ]] && break
        sleep 0.01
done
at_kill=$(long_count)
kill -KILL "$DPID"
set +e
wait "$DPID" 2>/dev/null
DRC=$?
set -e
forget "$DPID"
[[ $DRC -eq 137 ]] || fail "the daemon exited $DRC, expected 137 (SIGKILL)"
ok "daemon $first killed with SIGKILL mid-storm ($at_kill of 200 long-lived processes started)"

# ---- while it is down ----
ctl status --state-dir "$DSTATE_DIR"
[[ $rc -ne 0 ]] || fail "oompolicyctl status exited 0 while the daemon is dead"
expect_line err ".*stale.*PID $first.*" "status names the stale state file:"
ok "status while down: $(head -n1 "$tmp/err")"
touch "$tmp/go"
read_pid_file child "$tmp/child"
wait_exec "$child" "$(readlink -f /bin/sleep)"
expect_adj "$child" 200 "a child started while no daemon runs inherits its parent's value"
sleep 0.5

# ---- restart, same state directory, storm still running ----
at_restart=$(long_count)
start_daemon "$policy"
alive "${STORM_PIDS[0]}" || echo "note: the storm ended before the restart ($at_restart long-lived)"
ok "restarted as $DPID while the storm runs ($at_restart of 200 long-lived processes started; $((at_restart - at_kill)) while down)"
wait_storm
mapfile -t long_m < <(long_pids "$M")
mapfile -t long_d < <(long_pids "$D")
PIDS+=("${long_m[@]}" "${long_d[@]}")
[[ ${#long_m[@]} -eq 100 && ${#long_d[@]} -eq 100 ]] || fail "expected 100 + 100 long-lived processes, got ${#long_m[@]} + ${#long_d[@]}"
(( at_kill < 200 && at_restart > at_kill )) || fail "the outage did not fall inside the storm (kill at $at_kill, restart at $at_restart of 200)"

for pid in "${long_m[@]}"; do
        wait_adj "$pid" 330 "long-lived $M (before, during or after the outage)"
done
wait_adj "$child" "$DEFAULT_ADJ" "child of a children = reset parent, spawned while the daemon was down"
barrier
for pid in "${long_d[@]}"; do
        expect_adj "$pid" "$base" "long-lived decoy $D"
done
expect_adj "$parent" 200 "children = reset parent"
ok "after the restart: all ${#long_m[@]} long-lived $M have 330, the ${#long_d[@]} decoys $base, child $child reset to $DEFAULT_ADJ"

fresh_state
[[ "$(counter failed)" == 0 ]] || fail "counters.failed is $(counter failed)"
ctl status --state-dir "$DSTATE_DIR"
expect_rc 0 "status after the restart"
expect_line out "oompolicyd: +running \(PID $DPID, .*" "status names the new daemon:"
ok "status: $(head -n1 "$tmp/out"); scans: $(state_py "j['scans']")"
expect_daemon_alive
done_ok
