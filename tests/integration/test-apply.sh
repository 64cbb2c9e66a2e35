#!/bin/bash
# SPDX-License-Identifier: MIT
# oompolicyctl apply on real processes started here: the output line format,
# idempotence, --dry-run, --json, user/exe qualifiers against name spoofing,
# names longer than the 15-character comm, the EACCES (no CAP_SYS_RESOURCE)
# path, a broken policy applying nothing, and processes that exit meanwhile.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

setup
require_python
can_exec_in_tmp || skip "cannot execute copies of binaries under $tmp (noexec?)"
command -v setpriv >/dev/null || skip "setpriv (util-linux) is needed to run a process as nobody"
id nobody >/dev/null 2>&1 && getent group nogroup >/dev/null || skip "needs user nobody and group nogroup"

# Processes inherit our oom_score_adj; targets must differ from it and raising is always allowed.
base=$(cat /proc/self/oom_score_adj)
[[ $base -ge -1000 && $base -le 500 ]] || skip "this shell's oom_score_adj is $base; the test needs a value <= 500"

# Names of at most 14 characters, so the comm is not cut; unique through $$.
A="oomA-$$"        # [rule:] by name
B="oomB-$$"        # short form, glob (oom[B]-PID: never another run's process)
S="oomS-$$"        # same name run by root and by nobody; rule wants user = root
E="oomE-$$"        # same name in two directories; rule wants one exe path
N="oomN-$$"        # negative value (EACCES without CAP_SYS_RESOURCE)
P="oomP-$$"        # positive value next to the failing one
D="oomD-$$"        # killed before apply
F="oomF-$$"        # short-lived churn during apply
X="oomX-$$"        # matched by several rules
LONG="oomtest-long-process-name-$$"   # comm is cut to "oomtest-long-pr"
CUT=${LONG:0:15}

bin="$tmp/bin"
for n in "$A" "$B" "$S" "$N" "$P" "$D" "$X" "$LONG" "$CUT" oomL-$$ oomtest-spoofer-$$; do
        copy_binary /bin/sleep "$bin/$n"
done
copy_binary /bin/sleep "$tmp/a/$E"
copy_binary /bin/sleep "$tmp/b/$E"
copy_binary /bin/sleep "$tmp/churn/$F"

spawn pa "$bin/$A"
spawn pb "$bin/$B"
spawn ps_root "$bin/$S"
spawn ps_nobody "$bin/$S" setpriv --reuid=nobody --regid=nogroup --clear-groups
spawn pe_a "$tmp/a/$E"
spawn pe_b "$tmp/b/$E"
spawn pl "$bin/$LONG"
# argv[0] is a longer name the kernel could have cut to this comm: it counts as a name.
spawn_argv0 pl_argv0 "$bin/$CUT" "$LONG"
# argv[0] claims the long name but the comm is not a 15-character cut of it: it does not,
# whether the comm is short or another cut 15-character name.
spawn_argv0 pl_spoof "$bin/oomL-$$" "$LONG"
spawn_argv0 pl_spoof15 "$bin/oomtest-spoofer-$$" "$LONG"

[[ "$(cat /proc/$pl/comm)" == "$CUT" ]] || fail "comm of $LONG is $(cat /proc/$pl/comm), expected the kernel's cut $CUT"
[[ "$(awk '/^Uid:/ {print $2}' /proc/$ps_nobody/status)" == 65534 ]] || fail "$S did not run as nobody"
ok "started test processes (oom_score_adj $base): $A=$pa $B=$pb $S=$ps_root(root)/$ps_nobody(nobody)" \
   "$E=$pe_a(a)/$pe_b(b) $LONG=$pl argv0=$pl_argv0 spoof=$pl_spoof/$pl_spoof15"

all_pids=("$pa" "$pb" "$ps_root" "$ps_nobody" "$pe_a" "$pe_b" "$pl" "$pl_argv0" "$pl_spoof" "$pl_spoof15")
untouched() {   # untouched WHY: every process still has the inherited value
        local pid
        for pid in "${all_pids[@]}"; do
                expect_adj "$pid" "$base" "$1"
        done
}

# ---- the qualifiers really decide: without them both same-named processes match ----
policy0="$tmp/policy-unqualified.conf"
write_policy "$policy0" <<EOF
[rule:spoof-any]
name = $S
oom_score_adj = 633
[rule:exe-any]
name = $E
oom_score_adj = 644
EOF
ctl apply --dry-run --config "$policy0"
expect_rc 0 "apply --dry-run of an unqualified policy"
for pid in "$ps_root" "$ps_nobody" "$pe_a" "$pe_b"; do
        expect_line out "$pid .*"
done
untouched "after --dry-run"
ok "without user/exe qualifiers a name matches both same-named processes (root and nobody; both paths)"

# ---- the main policy ---------------------------------------------------------
policy="$tmp/policy.conf"
write_policy "$policy" <<EOF
# integration test policy
[rule:victim]
name = $A
oom_score_adj = 611

[oom_score_adj]
oom[B]-$$ = 622

[rule:root-only]
name = $S
user = root
oom_score_adj = 633

[rule:exe-path]
exe = $tmp/a/$E
oom_score_adj = 644

[rule:long]
name = $LONG
oom_score_adj = 655
EOF
# PID NAME OLD -> NEW (RULE, FILE:LINE of the value); NAME is the comm (for the long one,
# the full name is accepted too).
f=$(re "$policy")
expected=(
        "$pa $A $base -> 611 \(victim, $f:4\)"
        "$pb $B $base -> 622 \($(re "oom[B]-$$"), $f:7\)"
        "$ps_root $S $base -> 633 \(root-only, $f:12\)"
        "$pe_a $E $base -> 644 \(exe-path, $f:16\)"
        "$pl ($CUT|$LONG) $base -> 655 \(long, $f:20\)"
        "$pl_argv0 ($CUT|$LONG) $base -> 655 \(long, $f:20\)"
)
expect_changes() {   # the changes listed on stdout: exactly the expected lines
        local e
        for e in "${expected[@]}"; do
                expect_line out "$e" "change"
        done
        [[ $(wc -l <"$tmp/out") -eq ${#expected[@]} ]] || fail "stdout has $(wc -l <"$tmp/out") lines, expected ${#expected[@]}"
}

ctl apply --dry-run --config "$policy"
expect_rc 0 "apply --dry-run"
expect_empty err
expect_line out "${#expected[@]} of [0-9]+ processes would change; 0 sysctls would change\." "dry-run summary"
grep -v " would change; " "$tmp/out" >"$tmp/out.changes" && mv "$tmp/out.changes" "$tmp/out"
expect_changes
untouched "--dry-run must write nothing"
ok "apply --dry-run prints the ${#expected[@]} changes as 'PID NAME OLD -> NEW (RULE, FILE:LINE)', then how many of how many processes would change, and writes nothing"

ctl apply --dry-run --json --config "$policy"
expect_rc 0 "apply --dry-run --json"
json_parses
json_check "j['dry_run'] is True and j['changed'] is True and len(j['processes']) == ${#expected[@]} and j['failed'] == 0 and j['sysctl'] == []"
untouched "--dry-run --json must write nothing"
ok "apply --dry-run --json parses, dry_run=true, ${#expected[@]} changes, writes nothing"

ctl apply --config "$policy"
expect_rc 0 "apply"
expect_empty err
expect_changes
expect_adj "$pa" 611
expect_adj "$pb" 622
expect_adj "$ps_root" 633
expect_adj "$pe_a" 644
expect_adj "$pl" 655
expect_adj "$pl_argv0" 655
ok "apply set 611/622/633/644/655 on the matching processes and printed each change"
expect_adj "$ps_nobody" "$base" "name spoofed by nobody, rule wants user = root"
ok "the process of nobody named $S is untouched (user = root), the root one was changed"
expect_adj "$pe_b" "$base" "same name, other path than exe ="
ok "exe = $tmp/a/$E matched that copy only, not $tmp/b/$E"
expect_adj "$pl_spoof" "$base" "argv[0] $LONG on a binary whose comm is not its cut"
expect_adj "$pl_spoof15" "$base" "argv[0] $LONG on a binary whose 15-character comm is not its cut"
ok "the name glob $LONG matched the 25+ character name (comm $CUT) and a cut-compatible argv[0], not an arbitrary argv[0]"

ctl apply --config "$policy"
expect_rc 0 "second apply"
expect_empty out
expect_empty err
ok "a second apply prints nothing: every value is already right"

ctl apply --dry-run --config "$policy"
expect_rc 0 "dry run with nothing to change"
expect_empty err
expect_line out "0 of [0-9]+ processes would change; 0 sysctls would change\." "dry-run summary"
[[ $(wc -l <"$tmp/out") -eq 1 ]] || fail "a dry run with nothing to change prints only its summary: $(cat "$tmp/out")"
ok "a dry run with nothing to change says so: $(cat "$tmp/out")"

# A drop-in changes one rule; --json lists exactly that change.
write_policy "$policy.d/override.conf" <<EOF
[rule:victim]
oom_score_adj = 612
EOF
ctl apply --json --config "$policy"
expect_rc 0 "apply --json"
json_parses
json_check "j['dry_run'] is False and j['changed'] is True and j['failed'] == 0 and j['matched'] == ${#expected[@]}"
json_check "[(p['pid'], p['name'], p['old'], p['new'], p['rule']) for p in j['processes']] == [($pa, '$A', 611, 612, 'victim')]"
json_check "j['processes'][0]['origin'] in ('$policy.d/override.conf:2', '$policy.d/override.conf:3') and j['processes'][0]['error'] is None"
expect_adj "$pa" 612 "from the drop-in"
ok "apply --json parses and lists the one change made by a drop-in ($pa 611 -> 612)"

# ---- several matching rules: the last one in read order wins ----------------
# Literal names are looked up in an index, globs are scanned: both orders.
spawn px "$bin/$X"
prec="$tmp/policy-precedence.conf"
write_policy "$prec" <<EOF
[rule:literal]
name = $X
oom_score_adj = 701
[rule:glob]
name = oom[X]-$$
oom_score_adj = 702
EOF
ctl apply --config "$prec"
expect_rc 0
expect_line out "$px $X $base -> 702 \(glob, $(re "$prec"):6\)"
expect_adj "$px" 702 "the later (glob) rule wins"
prec2="$tmp/policy-precedence2.conf"
write_policy "$prec2" <<EOF
[rule:glob]
name = oom[X]-$$
oom_score_adj = 711
[rule:literal]
name = $X
oom_score_adj = 712
EOF
ctl apply --config "$prec2"
expect_rc 0
expect_line out "$px $X 702 -> 712 \(literal, $(re "$prec2"):6\)"
expect_adj "$px" 712 "the later (literal) rule wins"
write_policy "$prec2.d/50-again.conf" <<EOF
[rule:glob]
oom_score_adj = 713
EOF
ctl apply --config "$prec2"
expect_rc 0
expect_line out "$px $X 712 -> 713 \(glob, $(re "$prec2.d/50-again.conf"):2\)"
expect_adj "$px" 713 "a rule redefined in a drop-in moves last"
stop "$px"
ok "when several rules match, the last in read order wins (glob after literal, literal after glob, redefined in a drop-in)"

# ---- a policy with an error applies nothing ----------------------------------
broken="$tmp/policy-broken.conf"
write_policy "$broken" <<EOF
[rule:victim]
name = $A
oom_score_adj = 699
[rule:typo]
name = $B
oom_score_adj = lots
EOF
ctl apply --config "$broken"
expect_rc 1 "apply of a policy with an error"
expect_empty out
expect_line err "$(re "$broken"):6: .*lots.*"
expect_adj "$pa" 612 "nothing of a broken policy may be applied"
ok "apply of a policy with an error exits 1, reports it and changes nothing"

# ---- negative values: CAP_SYS_RESOURCE ---------------------------------------
negative_policy() {
        write_policy "$1" <<EOF
[rule:neg]
name = $N
oom_score_adj = -1
[rule:pos]
name = $P
oom_score_adj = 677
EOF
}

# expect_eacces [WRAPPER...]: without CAP_SYS_RESOURCE, -1 fails with a clear
# reason naming the pid, the positive value next to it is still applied.
expect_eacces() {
        local pn pp pol="$tmp/policy-negative-$RANDOM.conf"
        negative_policy "$pol"
        spawn pn "$bin/$N"
        spawn pp "$bin/$P"
        run "$@" "$CTL" apply --dry-run --config "$pol"
        expect_rc 0 "apply --dry-run of a negative value without CAP_SYS_RESOURCE"
        expect_line err "warning: 1 change would lower oom_score_adj below 0, which needs CAP_SYS_RESOURCE; this process lacks it, so a real apply would fail for it\." "dry-run warning"
        expect_adj "$pn" "$base" "a dry run writes nothing"
        ok "apply --dry-run warns that the negative value needs CAP_SYS_RESOURCE"

        run "$@" "$CTL" apply --config "$pol"
        expect_rc 1 "apply of a negative value without CAP_SYS_RESOURCE"
        expect_line err "$pn $N $base -> -1 \(neg, $(re "$pol"):3\).*CAP_SYS_RESOURCE.*" "failure"
        expect_line out "$pp $P $base -> 677 \(pos, $(re "$pol"):6\)" "change next to the failure"
        expect_no_line out "^$pn " "the failed change on stdout:"
        expect_adj "$pn" "$base" "the kernel refused"
        expect_adj "$pp" 677 "one failure must not stop the others"
        echo "ok: EACCES reported: $(grep "^$pn " "$tmp/err")"

        run "$@" "$CTL" apply --json --config "$pol"
        expect_rc 1 "apply --json of a negative value without CAP_SYS_RESOURCE"
        json_parses
        json_check "j['failed'] == 1 and [(p['pid'], p['new']) for p in j['processes'] if p['error']] == [($pn, -1)]"
        json_check "'CAP_SYS_RESOURCE' in [p for p in j['processes'] if p['pid'] == $pn][0]['hint']"
        ok "apply --json reports the failure with error and hint"
        stop "$pn" "$pp"
}

if has_cap_sys_resource -1; then
        pol="$tmp/policy-negative.conf"
        negative_policy "$pol"
        spawn pn "$bin/$N"
        spawn pp "$bin/$P"
        ctl apply --dry-run --config "$pol"
        expect_rc 0 "apply --dry-run of a negative value with CAP_SYS_RESOURCE"
        expect_empty err
        ok "with CAP_SYS_RESOURCE, apply --dry-run of a negative value warns of nothing"
        ctl apply --config "$pol"
        expect_rc 0 "apply of a negative value with CAP_SYS_RESOURCE"
        expect_adj "$pn" -1
        expect_adj "$pp" 677
        ok "this machine has CAP_SYS_RESOURCE: apply set -1"
        stop "$pn" "$pp"
        # The failure path, with the capability dropped for oompolicyctl only.
        drop=(setpriv --inh-caps=-sys_resource --ambient-caps=-sys_resource --bounding-set=-sys_resource)
        if "${drop[@]}" true 2>/dev/null && ! has_cap_sys_resource -1 "${drop[@]}"; then
                expect_eacces "${drop[@]}"
                ok "with CAP_SYS_RESOURCE dropped: apply exits 1 naming the pid and CAP_SYS_RESOURCE"
        else
                echo "skip: cannot drop CAP_SYS_RESOURCE here; the EACCES path is not tested"
        fi
else
        expect_eacces
        ok "no CAP_SYS_RESOURCE: a negative value fails, apply exits 1 naming the pid and CAP_SYS_RESOURCE"
        echo "skip: setting a negative value needs CAP_SYS_RESOURCE, which this machine lacks"
fi

# ---- processes that exit around apply are no error ---------------------------
dpol="$tmp/policy-dead.conf"
write_policy "$dpol" <<EOF
[rule:dead]
name = $D
oom_score_adj = 688
[rule:churn]
name = $F
oom_score_adj = 699
EOF
spawn pd "$bin/$D"
# Killed, not yet reaped: a zombie or on its way out. (stderr of the group only
# hides bash's "Killed" job notice; the tool's own stderr is in $tmp/err.)
{
        kill -KILL "$pd"
        ctl apply --config "$dpol"
} 2>/dev/null
expect_rc 0 "apply right after the matching process was killed"
expect_empty err
wait "$pd" 2>/dev/null || :
ctl apply --config "$dpol"
expect_rc 0 "apply after the matching process was reaped"
expect_empty err
expect_empty out
ok "a matching process killed (zombie, then reaped) right before apply is no error"

# Many short-lived matching processes while apply scans.
(
        trap 'exit 0' TERM
        while :; do
                for i in 1 2 3 4 5 6 7 8; do
                        "$tmp/churn/$F" 0.0$i &
                done
                wait
        done
) </dev/null >/dev/null 2>&1 &
churn=$!
PIDS+=("$churn")
end=$((SECONDS + 3))
runs=0
while ((SECONDS < end)); do
        ctl apply --config "$dpol"
        expect_rc 0 "apply while matching processes come and go (run $runs)"
        expect_empty err
        runs=$((runs + 1))
done
kill -TERM "$churn"
wait "$churn" 2>/dev/null || :
ok "$runs applies while matching processes started and exited all exited 0 with nothing on stderr"
