#!/bin/bash
# SPDX-License-Identifier: MIT
# The daemon reports OOM kills from the kernel log, naming the rule that governed
# the victim, and counts them by scope. The kernel log is a FIFO here
# (--test-kernel-log) fed with /dev/kmsg records, so the victims can be our own
# processes and nothing has to run out of memory; test-e2e-memcg-oom.sh does the
# real thing.
. "$(dirname "$0")/daemon-lib.sh"
daemon_setup

VICTIM="oomkv-$$"
GUARD="oomkg-$$"
copy_binary /bin/sleep "$BIN/$VICTIM"
copy_binary /bin/sleep "$BIN/$GUARD"
mkfifo "$tmp/kmsg"
write_policy "$tmp/policy.conf" <<EOF
$(barrier_rule)
[rule:victim-$$]
name = $VICTIM
oom_score_adj = 500
[rule:guard-$$]
name = $GUARD
oom_score_adj = -500
$(test_daemon_section "metrics_file = $tmp/metrics.prom")
EOF

spawn victim "$BIN/$VICTIM"
spawn guard "$BIN/$GUARD"
start_daemon "$tmp/policy.conf" --test-kernel-log="$tmp/kmsg"
wait_adj "$victim" 500 "rule victim"
[[ "$(state_py "j['kernel_log']")" == True ]] || fail "state.json: kernel_log is not true"

# kmsg_records: stdin lines become /dev/kmsg records "PRIO,SEQ,USEC,-;TEXT".
seq_no=100
kmsg_records() {
        local line
        while IFS= read -r line; do
                seq_no=$((seq_no + 1))
                printf '6,%d,%d000,-;%s\n' "$seq_no" "$seq_no" "$line"
        done
}

# 1. A memcg kill of a live process a rule matched; an unrelated record in between.
kmsg_records >"$tmp/kmsg" <<EOF
$VICTIM invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=500
usb 1-1: new high-speed USB device number 3 using xhci_hcd
oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/oomtest-$$,task_memcg=/oomtest-$$/leaf,task=$VICTIM,pid=$victim,uid=0
Memory cgroup out of memory: Killed process $victim ($VICTIM) total-vm:9000kB, anon-rss:1024kB, file-rss:8kB, shmem-rss:0kB, UID:0 pgtables:48kB oom_score_adj:500
EOF
wait_log "OOM kill \(memory cgroup /oomtest-$$/leaf\): pid $victim \($VICTIM\) uid 0, rss 1032 kB, oom_score_adj 500; rule victim-$$ \(oom_score_adj 500, $tmp/policy.conf:6\)\.$"
ok "memcg kill of a live process attributed to its rule"

# 2. A global kill reported after the victim's EXIT event was handled (the usual
# order: the report ends after the process is gone), of a process whose rule
# protects it with a negative value: a warning, whether or not the value could be set.
stop "$guard"
barrier
kmsg_records >"$tmp/kmsg" <<EOF
stress invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO), order=0, oom_score_adj=0
oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=$GUARD,pid=$guard,uid=0
Out of memory: Killed process $guard ($GUARD) total-vm:9000kB, anon-rss:2048kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:48kB oom_score_adj:$(adj_of $$)
oom_reaper: reaped process $guard ($GUARD), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB
EOF
wait_log "OOM kill \(system-wide\): pid $guard \($GUARD\) uid 0, rss 2048 kB, oom_score_adj $(adj_of $$); KILLED although rule guard-$$ at $tmp/policy.conf:9 wants oom_score_adj -500"
ok "a protected process killed after its exit was handled: warned, with the rule"

# 3. A kill of a process no rule matched.
kmsg_records >"$tmp/kmsg" <<EOF
Out of memory: Killed process 999999 (bigjob) total-vm:9000kB, anon-rss:4096kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:48kB oom_score_adj:0
EOF
wait_log "OOM kill \(system-wide\): pid 999999 \(bigjob\) uid 1000, rss 4096 kB, oom_score_adj 0; no rule governed it\.$"
ok "kill without a rule"

wait_state "j['counters']['oom_kills'] == 3 and j['counters']['oom_kills_memcg'] == 1 and j['counters']['oom_kills_global'] == 2 and j['counters']['oom_kills_protected'] == 1" \
        "oom_kills 3 (1 memcg, 2 global, 1 protected)"
wait_metric() {
        local i
        for ((i = 0; i < 50; i++)); do
                grep -qxF -- "$1" "$tmp/metrics.prom" 2>/dev/null && return 0
                sleep 0.1
        done
        fail "metrics file has no line '$1'"
}
wait_metric 'oompolicyd_oom_kills_total{scope="memcg"} 1'
wait_metric 'oompolicyd_oom_kills_total{scope="global"} 2'
wait_metric 'oompolicyd_oom_kills_protected_total 1'
wait_metric "oompolicyd_adjustments_total{rule=\"victim-$$\"} 1"
ok "state.json and metrics count the kills by scope and the adjustments by rule"

# watch_kernel_log = no: a reload stops following the log.
sed -i 's/^\[daemon\]$/[daemon]\nwatch_kernel_log = no/' "$tmp/policy.conf"
kill -HUP "$DPID"
wait_log "Reloaded:"
wait_state "not j['kernel_log']" "kernel_log false after watch_kernel_log = no"
stop_daemon TERM
[[ $DRC -eq 0 ]] || fail "daemon exit status $DRC"
done_ok
