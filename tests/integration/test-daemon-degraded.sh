#!/bin/bash
# SPDX-License-Identifier: MIT
# oompolicyd in degraded conditions.
# 1. Without CAP_SYS_RESOURCE, negative values fail with EACCES: exactly one
#    warning per rule naming CAP_SYS_RESOURCE (not one per process), every
#    failure counted, the daemon keeps running and keeps applying other rules;
#    a reload starts a new policy generation with one new warning per rule.
#    (With CAP_SYS_RESOURCE the values must simply be applied.)
# 2. Without the proc connector (--test-no-netlink): a loud FALLING BACK
#    error, and new processes are still adjusted by the rescan every 5 s even
#    with rescan_interval = 0.
set -euo pipefail
. "$(dirname "$0")/daemon-lib.sh"

daemon_setup
[[ $base -gt -300 ]] || skip "this shell's oom_score_adj is $base; the test needs a value above -300"
N1="oomneg1-$$"
N2="oomneg2-$$"
POS="oompos-$$"
FB="oomfb-$$"
for n in "$N1" "$N2" "$POS" "$FB"; do
        copy_binary /bin/sleep "$BIN/$n"
done
has_cap=no
cap_sys_resource -500 && has_cap=yes

policy="$tmp/policy.conf"
write_policy "$policy" <<EOF2
[rule:neg1]
name = $N1
oom_score_adj = -500

[rule:neg2]
name = $N2
oom_score_adj = -300

[rule:pos]
name = $POS
oom_score_adj = 380

$(barrier_rule)

$(test_daemon_section)
EOF2

# ---- 1. negative values ----
# neg1: three processes found by the initial scan; neg2: one by the scan, two by events.
spawn a1 "$BIN/$N1"
spawn a2 "$BIN/$N1"
spawn a3 "$BIN/$N1"
spawn b1 "$BIN/$N2"
start_daemon "$policy"
spawn b2 "$BIN/$N2"
spawn b3 "$BIN/$N2"
spawn p_pos "$BIN/$POS"
wait_adj "$p_pos" 380 "a positive rule next to failing negative ones"
barrier

if [[ $has_cap == yes ]]; then
        for pid in "$a1" "$a2" "$a3"; do wait_adj "$pid" -500 "with CAP_SYS_RESOURCE"; done
        for pid in "$b1" "$b2" "$b3"; do wait_adj "$pid" -300 "with CAP_SYS_RESOURCE"; done
        ok "this machine has CAP_SYS_RESOURCE: negative values applied"
        expect_daemon_alive
else
        for pid in "$a1" "$a2" "$a3" "$b1" "$b2" "$b3"; do
                expect_adj "$pid" "$base" "a failed write changes nothing"
        done
        for rule in neg1 neg2; do
                n=$(log_count "rule '$rule'.*CAP_SYS_RESOURCE")
                [[ $n -eq 1 ]] || fail "$n warnings about rule '$rule' and CAP_SYS_RESOURCE in the log, expected exactly 1"
        done
        n=$(log_count "cannot set oom_score_adj")
        [[ $n -eq 0 ]] || fail "$n per-process 'cannot set oom_score_adj' lines; failures of a rule must be counted, not logged"
        wait_state "j['counters']['failed'] >= 6" "counters.failed >= 6 (3 processes of each rule)"
        wait_state "any('CAP_SYS_RESOURCE' in e['message'] and 'neg1' in e['message'] and e['time_usec'] > 0 for e in j['last_errors'])" "last_errors names rule neg1 and CAP_SYS_RESOURCE"
        expect_daemon_alive "after EACCES"
        ok "EACCES: one warning per rule, failed $(counter failed), daemon running: $(grep -m1 "rule 'neg1'" "$DLOG")"

        # A reload is a new policy generation: one new warning per rule, not one per process.
        kill -HUP "$DPID"
        wait_log "Reloaded: 4 rules"
        barrier
        for rule in neg1 neg2; do
                n=$(log_count "rule '$rule'.*CAP_SYS_RESOURCE")
                [[ $n -eq 2 ]] || fail "$n warnings about rule '$rule' after a reload, expected 2 (one per policy generation)"
        done
        wait_state "j['counters']['failed'] >= 12" "counters.failed >= 12 after the reload's rescan"
        expect_daemon_alive "after a reload with EACCES"
        ok "after a reload: one more warning per rule, failed $(counter failed)"
fi
stop_daemon TERM
[[ $DRC -eq 0 ]] || fail "the daemon exited $DRC on SIGTERM"

# ---- 2. no proc connector ----
write_policy "$tmp/policy-fb.conf" <<EOF2
[rule:fallback]
name = $FB
oom_score_adj = 390

$(test_daemon_section)
EOF2
ALLOW_FALLBACK=yes start_daemon "$tmp/policy-fb.conf" --test-no-netlink
grep -q "FALLING BACK TO RESCANNING /proc EVERY 5 s" "$DLOG" || fail "no loud 'FALLING BACK ... EVERY 5 s' in the log"
[[ "$(state_py "j['proc_connector']")" == False ]] || fail "state.json proc_connector is not false"
t0=$(now_ms)
spawn p_fb "$BIN/$FB"
wait_adj "$p_fb" 390 "adjusted by a fallback rescan"
ok "without the proc connector: $p_fb adjusted $(($(now_ms) - t0)) ms after its start"
wait_state "j['counters']['rescans'] >= 2 and j['counters']['events'] == 0" "rescans >= 2 and no events"
expect_daemon_alive
done_ok
