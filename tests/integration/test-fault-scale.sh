#!/bin/bash
# SPDX-License-Identifier: MIT
# 20,000 live processes: 15,000 matching sleepers and 5,000 decoys (two fork
# trees of tests/integration/oomtest-forktree, in a pids cgroup made for the
# test with pids.max raised to fit them) are running when oompolicyd starts.
# The start-up scan gives every matching sleeper its value and no decoy one;
# a rescan with nothing to change (SIGHUP, same policy) writes nothing; a
# rescan after a reload with a new value rewrites every matching sleeper.
# Prints the start-up scan and rescan times from state.json ('scans').
# Skips when pid_max, threads-max, memory or the pids cgroup do not allow it.
set -euo pipefail
. "$(dirname "$0")/daemon-lib.sh"

daemon_setup
N_MATCH=15000
N_DECOY=5000
N=$((N_MATCH + N_DECOY))

# ---- can this machine hold them? ----
tasks=$(awk '{ split($4, a, "/"); print a[2] }' /proc/loadavg)
pid_max=$(cat /proc/sys/kernel/pid_max)
threads_max=$(cat /proc/sys/kernel/threads-max)
avail_kb=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
(( pid_max - tasks >= N + 4000 )) || skip "pid_max $pid_max with $tasks tasks running leaves no room for $N more and a margin of 4000"
(( threads_max - tasks >= N + 4000 )) || skip "threads-max $threads_max with $tasks tasks running leaves no room for $N more"
# A sleeper costs ~50 KiB of kernel memory (stack, page tables, task); ask for twice that.
(( avail_kb >= N * 100 + 512 * 1024 )) || skip "MemAvailable $((avail_kb / 1024)) MiB is less than the $((N * 100 / 1024 + 512)) MiB the test wants"

pids_root=$(cgroup_v1_dir pids)
if [[ -z "$pids_root" ]]; then
        pids_root=$(cgroup_v2_dir)
        [[ -n "$pids_root" ]] && grep -qw pids "$pids_root/cgroup.subtree_control" 2>/dev/null ||
                skip "no pids cgroup controller (neither a v1 pids hierarchy nor pids enabled at the v2 root)"
fi
make_cgroup cg "$pids_root" "oomtest-scale-$$"
echo $((N + 100)) >"$cg/pids.max"
ok "cgroup $cg, pids.max $(cat "$cg/pids.max"); $tasks tasks running, pid_max $pid_max"

M="oomscm-$$"      # matched
D="oomscd-$$"      # decoy
helper_copy forktree "$BIN/$M"
helper_copy forktree "$BIN/$D"


# check_tree PARENT VALUE: every child of PARENT (and PARENT) has oom_score_adj VALUE; prints
# how many were checked.
check_tree() {
        python3 - "$1" "$2" <<'EOF' || fail "$1's tree: see above"
import sys
parent, want = sys.argv[1], sys.argv[2]
with open(f"/proc/{parent}/task/{parent}/children") as f:
    pids = [parent] + f.read().split()
wrong = []
for pid in pids:
    with open(f"/proc/{pid}/oom_score_adj") as f:
        have = f.read().strip()
    if have != want:
        wrong.append(f"{pid}={have}")
if wrong:
    print(f"FAIL: {len(wrong)} of {len(pids)} processes have a value other than {want}: {' '.join(wrong[:10])}", file=sys.stderr)
    sys.exit(1)
print(len(pids))
EOF
}

t0=$(now_ms)
start_forktree tree_m "$cg" "$BIN/$M" "$N_MATCH"
start_forktree tree_d "$cg" "$BIN/$D" "$N_DECOY"
wait_forktree "$tree_m"
wait_forktree "$tree_d"
n_cg=$(wc -l <"$cg/cgroup.procs")
[[ $n_cg -eq $((N + 2)) ]] || fail "$n_cg processes in $cg, expected $((N + 2))"
ok "$N sleepers (+2 parents) started in $(($(now_ms) - t0)) ms"

policy="$tmp/policy.conf"
write_policy "$policy" <<EOF
[rule:scale]
name = $M
oom_score_adj = 341

$(barrier_rule)

$(test_daemon_section)
EOF

# ---- start-up scan ----
start_daemon "$policy"
n=$(check_tree "$tree_m" 341)
n_d=$(check_tree "$tree_d" "$base")
fresh_state
first_ms=$(state_py "j['scans']['first_duration_usec'] / 1000")
first_n=$(state_py "j['scans']['first_processes']")
[[ $first_n -ge $((N + 2)) ]] || fail "the start-up scan saw $first_n processes, fewer than the $((N + 2)) of the test"
# The matching ones plus the barrier; nothing else.
[[ "$(counter adjusted)" -eq $((N_MATCH + 2)) ]] || fail "counters.adjusted is $(counter adjusted), expected $((N_MATCH + 1)) + the barrier"
[[ "$(counter failed)" == 0 ]] || fail "counters.failed is $(counter failed)"
ok "start-up scan: $first_n processes in $first_ms ms; all $n matching have 341, all $n_d decoys $base"

# ---- rescan with nothing to change ----
adjusted=$(counter adjusted)
kill -HUP "$DPID"
wait_log_count "Reloaded: 2 rules" 1 30
fresh_state
idle_ms=$(state_py "j['scans']['last_duration_usec'] / 1000")
idle_n=$(state_py "j['scans']['last_processes']")
[[ "$(counter adjusted)" -eq $((adjusted + 1)) ]] || fail "a rescan with nothing to change wrote $(($(counter adjusted) - adjusted - 1)) values"
[[ $idle_n -ge $((N + 2)) ]] || fail "the rescan saw $idle_n processes"
ok "rescan, nothing to change: $idle_n processes in $idle_ms ms"

# ---- rescan that rewrites every matching sleeper ----
sed -i 's/^oom_score_adj = 341$/oom_score_adj = 342/' "$policy"
kill -HUP "$DPID"
wait_log_count "Reloaded: 2 rules" 2 30
n=$(check_tree "$tree_m" 342)
check_tree "$tree_d" "$base" >/dev/null
fresh_state
write_ms=$(state_py "j['scans']['last_duration_usec'] / 1000")
write_n=$(state_py "j['scans']['last_processes']")
[[ "$(counter failed)" == 0 ]] || fail "counters.failed is $(counter failed)"
ok "rescan after a reload to 342: $write_n processes in $write_ms ms; all $n matching have 342, decoys $base"

expect_daemon_alive
stop_daemon TERM
[[ $DRC -eq 0 ]] || fail "the daemon exited $DRC"
echo "scale: $N sleepers; start-up scan $first_ms ms ($first_n processes); rescan $idle_ms ms (nothing to write), $write_ms ms ($N_MATCH writes)"

# ---- teardown (the exit trap does it too, if anything failed) ----
# SIGTERM: each tree's parent kills and reaps its own sleepers (the exit trap does the same).
t0=$(now_ms)
end_forktrees
for t in "$tree_m" "$tree_d"; do
        alive "$t" && fail "fork tree $t still running 30 s after SIGTERM"
        wait "$t" || fail "fork tree $t exited $? after SIGTERM"
        forget "$t"
done
cgroups_cleanup
[[ ! -d "$cg" ]] || fail "cgroup $cg not removed"
ok "sleepers killed and cgroup removed in $(($(now_ms) - t0)) ms"
done_ok
