#!/bin/bash
# SPDX-License-Identifier: MIT
# children = reset and children = inherit with oompolicyd: a rule matches a
# parent shell (a copy of bash); a program it then spawns that no rule covers
# gets default_oom_score_adj back with reset (for a parent adjusted by the
# initial scan and for one adjusted by its EXEC event), while the parent keeps
# its value and a child the rule itself matches keeps the rule's value; with
# inherit the spawned program keeps the parent's value.
set -euo pipefail
. "$(dirname "$0")/daemon-lib.sh"

daemon_setup

PAR="oompar-$$"      # the parent shell (copy of bash)
PAR2="oompar2-$$"    # a child the same rule matches (copy of sleep)
copy_binary "$(readlink -f /bin/bash)" "$BIN/$PAR"
copy_binary /bin/sleep "$BIN/$PAR2"
# Distinct from this shell's value, so that a reset cannot be mistaken for a restore.
DEFAULT_ADJ=$((base + 5))

# The parent waits (builtins only, so that it spawns nothing) until $dir/go exists,
# then starts /bin/sleep and a PAR2 and writes their PIDs to $tmp/pids/NAME.*.
parent_script='
dir=$1 pids=$2 par2=$3
while [[ ! -e $dir/go ]]; do read -r -t 0.02 _ <>"$dir/fifo" || :; done
/bin/sleep 300 </dev/null >/dev/null 2>&1 &
echo $! >"$pids.child"
"$par2" 300 </dev/null >/dev/null 2>&1 &
echo $! >"$pids.matched"
wait
'
# start_parent VAR NAME: starts a parent; VAR gets its PID.
start_parent() {
        local __var=$1 name=$2
        mkdir -p "$tmp/$name"
        mkfifo "$tmp/$name/fifo"
        "$BIN/$PAR" -c "$parent_script" "$PAR" "$tmp/$name" "$tmp/pids/$name" "$BIN/$PAR2" </dev/null >/dev/null 2>&1 &
        PIDS+=("$!")
        printf -v "$__var" '%s' "$!"
        wait_exec "$!" "$BIN/$PAR"
}

# spawn_children NAME: lets parent NAME spawn its children; sets child and matched.
spawn_children() {
        touch "$tmp/$1/go"
        read_pid_file child "$tmp/pids/$1.child"
        read_pid_file matched "$tmp/pids/$1.matched"
        wait_exec "$child" "$(readlink -f /bin/sleep)"
        wait_exec "$matched" "$BIN/$PAR2"
}

policy_with() {
        write_policy "$tmp/policy-$1.conf" <<EOF
[rule:parent]
name = $PAR $PAR2
oom_score_adj = 200
children = $1

$(barrier_rule)

$(test_daemon_section)
EOF
}

# ---- children = reset ----
policy_with reset
start_parent p_scan scan          # before the daemon: adjusted by the initial scan
start_daemon "$tmp/policy-reset.conf"
wait_adj "$p_scan" 200 "parent adjusted by the initial scan"
start_parent p_event event        # after: adjusted through its EXEC event
wait_adj "$p_event" 200 "parent adjusted through its EXEC event"
ok "parents $p_scan (scan) and $p_event (event) have 200"

for name in scan event; do
        p=p_$name
        spawn_children "$name"
        wait_adj "$child" "$DEFAULT_ADJ" "/bin/sleep spawned by the $name parent: children = reset gives default_oom_score_adj"
        barrier
        expect_adj "${!p}" 200 "the $name parent itself keeps its value"
        expect_adj "$matched" 200 "$PAR2 spawned by the $name parent is matched by the rule itself"
        expect_adj "$child" "$DEFAULT_ADJ" "reset child stays reset"
        ok "$name parent ${!p}: child $child reset to $DEFAULT_ADJ, matched child $matched kept 200"
done
wait_state "j['counters']['reset'] >= 2" "counters.reset >= 2"
stop_daemon TERM
[[ $DRC -eq 0 ]] || fail "daemon exited $DRC"
for pid in "$p_scan" "$p_event" "$child" "$matched"; do
        stop "$pid"
done

# ---- children = inherit ----
policy_with inherit
start_daemon "$tmp/policy-inherit.conf"
start_parent p_inh inherit
wait_adj "$p_inh" 200 "parent adjusted through its EXEC event"
spawn_children inherit
barrier
expect_adj "$child" 200 "/bin/sleep spawned by the parent: children = inherit keeps the kernel's copy"
expect_adj "$p_inh" 200 "parent"
expect_adj "$matched" 200 "matched child"
wait_state "j['counters']['adjusted'] >= 2" "counters.adjusted >= 2 (parent, barrier; the matched child inherited 200)"
[[ "$(counter reset)" == 0 ]] || fail "counters.reset is $(counter reset) with children = inherit"
ok "children = inherit: child $child of $p_inh kept 200"
expect_daemon_alive
done_ok
