#!/bin/bash
# SPDX-License-Identifier: MIT
# An exec storm under oompolicyd with its normal (large) event buffer: thousands
# of short-lived processes under a rule's name and under a decoy name, run in
# parallel, with long-lived ones of both names started during the storm. At the
# end every long-lived matching process has the rule's value, no decoy has been
# touched, the daemon keeps state only for live processes and is still running.
set -euo pipefail
. "$(dirname "$0")/daemon-lib.sh"

daemon_setup
M="oomsm-$$"     # matched
D="oomsd-$$"     # decoy
storm_binaries "$M" "$D"

policy="$tmp/policy.conf"
write_policy "$policy" <<EOF2
[rule:storm]
name = $M
oom_score_adj = 330

$(barrier_rule)

$(test_daemon_section)
EOF2
start_daemon "$policy"

# 2 loops per name x 1500 = 3000 matching and 3000 decoys; a long-lived one every 60th.
run_storm 2 1500 60 "$M" "$D"
mapfile -t long_m < <(long_pids "$M")
mapfile -t long_d < <(long_pids "$D")
PIDS+=("${long_m[@]}" "${long_d[@]}")
[[ ${#long_m[@]} -eq 50 && ${#long_d[@]} -eq 50 ]] || fail "expected 50 + 50 long-lived processes, got ${#long_m[@]} + ${#long_d[@]}"

t0=$(now_ms)
for pid in "${long_m[@]}"; do
        wait_adj "$pid" 330 "long-lived $M started during the storm"
done
ok "all ${#long_m[@]} long-lived $M have 330 ($(($(now_ms) - t0)) ms after the storm)"
barrier
for pid in "${long_d[@]}"; do
        expect_adj "$pid" "$base" "long-lived decoy $D started during the storm"
done
ok "all ${#long_d[@]} long-lived decoys kept $base"

expect_daemon_alive "after the storm"
fresh_state
tracked=$(state_py "j['tracked_processes']")
[[ $tracked -le $((${#long_m[@]} + 2)) ]] ||
        fail "the daemon tracks $tracked processes after the storm; only the ${#long_m[@]} live matched ones should be left"
[[ "$(counter failed)" == 0 ]] || fail "counters.failed is $(counter failed)"
[[ "$(counter adjusted)" -ge ${#long_m[@]} ]] || fail "counters.adjusted is $(counter adjusted)"
ok "counters: $(state_py "j['counters']"); tracked $tracked"
! grep -Eq "Out of memory|Rescan failed|Event loop failed" "$DLOG" || fail "errors in the daemon log"
done_ok
