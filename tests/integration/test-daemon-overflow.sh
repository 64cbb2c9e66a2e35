#!/bin/bash
# SPDX-License-Identifier: MIT
# Forced event loss: oompolicyd with a tiny netlink receive buffer
# (--test-rcvbuf) and a burst of thousands of execs. The daemon must notice the
# overflow (counters.overflows > 0, a rate-limited warning) and rescan
# (counters.rescans > 1, with rescan_interval = 0 nothing else rescans), so
# that afterwards every long-lived matching process started during the burst has
# its value, whether its events were lost or not, and no decoy was touched.
set -euo pipefail
. "$(dirname "$0")/daemon-lib.sh"

daemon_setup
M="oomom-$$"     # matched
D="oomod-$$"     # decoy
storm_binaries "$M" "$D"

policy="$tmp/policy.conf"
write_policy "$policy" <<EOF2
[rule:burst]
name = $M
oom_score_adj = 340

$(barrier_rule)

$(test_daemon_section)
EOF2
# Subscribing needs the kernel's ack to fit in that buffer: under a flood of events from
# elsewhere (parallel tests) every try may overflow and the daemon falls back to polling.
for ((try = 1; ; try++)); do
        ALLOW_FALLBACK=yes start_daemon "$policy" --test-rcvbuf=512
        grep -q "FALLING BACK" "$DLOG" || break
        grep -q "No buffer space available" "$DLOG" ||
                skip "the proc connector is unavailable here: $(grep -m1 "FALLING BACK" "$DLOG")"
        stop_daemon TERM
        ((try < 5)) || skip "subscribing with a tiny receive buffer overflowed $try times (too many events on this machine)"
        echo "subscribing with a tiny receive buffer overflowed; again"
done

# 2 loops per name x 750 = 1500 matching and 1500 decoys; a long-lived one every 30th.
run_storm 2 750 30 "$M" "$D"
mapfile -t long_m < <(long_pids "$M")
mapfile -t long_d < <(long_pids "$D")
PIDS+=("${long_m[@]}" "${long_d[@]}")
[[ ${#long_m[@]} -eq 50 && ${#long_d[@]} -eq 50 ]] || fail "expected 50 + 50 long-lived processes, got ${#long_m[@]} + ${#long_d[@]}"

# Overflows are counted, and each one schedules a rescan.
wait_state "j['counters']['overflows'] > 0" "counters.overflows > 0 after a burst with a tiny receive buffer"
wait_state "j['counters']['rescans'] > 1" "counters.rescans > 1 after overflows (rescan_interval = 0)"
grep -q "Process event queue overflowed" "$DLOG" || fail "no overflow warning in the daemon log"
ok "overflows $(counter overflows), rescans $(counter rescans)"

t0=$(now_ms)
for pid in "${long_m[@]}"; do
        wait_adj "$pid" 340 "long-lived $M started during the burst"
done
ok "all ${#long_m[@]} long-lived $M have 340 ($(($(now_ms) - t0)) ms after the burst)"
barrier
for pid in "${long_d[@]}"; do
        expect_adj "$pid" "$base" "long-lived decoy $D started during the burst"
done
ok "all ${#long_d[@]} long-lived decoys kept $base"

# The warning is rate-limited (one per 10 s), not one line per overflow: at most one
# more than the number of whole 10 s periods the daemon has run (slow under load).
n=$(log_count "Process event queue overflowed")
allowed=$((1 + ($(now_ms) - START_MS) / 10000))
[[ $n -le $allowed ]] || fail "$n overflow warnings in the log in $((($(now_ms) - START_MS) / 1000)) s; they should be rate-limited (one per 10 s)"
expect_daemon_alive "after the overflows"
fresh_state
tracked=$(state_py "j['tracked_processes']")
[[ $tracked -le $((${#long_m[@]} + 2)) ]] ||
        fail "the daemon tracks $tracked processes; only the ${#long_m[@]} live matched ones should be left (lost EXIT events are pruned by rescans)"
ok "counters: $(state_py "j['counters']"); tracked $tracked; $n overflow warning(s)"
done_ok
