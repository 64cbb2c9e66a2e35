#!/bin/bash
# SPDX-License-Identifier: MIT
# oompolicyctl apply --json and --detailed-exitcodes, as config management runs
# them: a first run changes (exit 3, "changed": true), a second changes nothing
# (exit 0, "changed": false), a failure exits 1 with a "failures" entry (EACCES
# lowering without CAP_SYS_RESOURCE; a sysctl that cannot be read). Processes:
# copies of sleep started here, positive values. Sysctls: only on a fake /proc/sys
# under --root, never the host's.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

setup
require_python
can_exec_in_tmp || skip "cannot execute copies of binaries under $tmp (noexec?)"
base=$(cat /proc/self/oom_score_adj)
[[ $base -ge 0 && $base -le 500 ]] || skip "this shell's oom_score_adj is $base; the test needs 0..500"

A="oomJA-$$"
B="oomJB-$$"
N="oomJN-$$"
bin="$tmp/bin"
for n in "$A" "$B" "$N"; do
        copy_binary /bin/sleep "$bin/$n"
done
spawn pa "$bin/$A"
spawn pb "$bin/$B"

policy="$tmp/policy.conf"
write_policy "$policy" <<EOT
[rule:a]
name = $A
oom_score_adj = 601
[oom_score_adj]
$B = 602
EOT

# ---- processes: dry run, first run, second run -----------------------------------
ctl --config "$policy" apply --dry-run --json --detailed-exitcodes
expect_rc 3 "apply --dry-run --detailed-exitcodes with changes to make"
json_check "j['dry_run'] is True and j['changed'] is True and j['failures'] == [] and j['failed'] == 0"
expect_adj "$pa" "$base" "--dry-run writes nothing"
ok "a dry run that would change something exits 3 and writes nothing"

ctl --config "$policy" apply --json --detailed-exitcodes
expect_rc 3 "first apply --detailed-exitcodes"
json_check "j['dry_run'] is False and j['changed'] is True and j['failures'] == [] and j['failed'] == 0"
json_check "sorted((p['pid'], p['name'], p['old'], p['new'], p['rule'], p['origin'], p['error']) for p in j['processes']) == sorted([($pa, '$A', $base, 601, 'a', '$policy:3', None), ($pb, '$B', $base, 602, '$B', '$policy:5', None)])"
json_check "j['sysctl'] == [] and j['units'] == []"
expect_adj "$pa" 601
expect_adj "$pb" 602
ok "first apply: exit 3, both changes listed with pid, name, old, new, rule and origin"

ctl --config "$policy" apply --json --detailed-exitcodes
expect_rc 0 "second apply --detailed-exitcodes"
json_check "j['changed'] is False and j['processes'] == [] and j['sysctl'] == [] and j['failures'] == []"
json_check "j['matched'] == 2"
ok "second apply: exit 0, \"changed\": false, nothing listed"

ctl --config "$policy" apply --detailed-exitcodes
expect_rc 0 "second apply --detailed-exitcodes, text"
expect_empty out
echo 603 >"/proc/$pa/oom_score_adj"
ctl --config "$policy" apply
expect_rc 0 "apply without --detailed-exitcodes that changed something"
expect_line out "$pa $A 603 -> 601 .*" "the change:"
ok "without --detailed-exitcodes a change still exits 0"

# ---- a failure: lowering below 0 without CAP_SYS_RESOURCE ---------------------------
fpol="$tmp/policy-fail.conf"
write_policy "$fpol" <<EOT
[rule:neg]
name = $N
oom_score_adj = -1
[rule:a]
name = $A
oom_score_adj = 611
EOT
wrap=()
eacces=yes
if has_cap_sys_resource -1; then
        wrap=(setpriv --inh-caps=-sys_resource --ambient-caps=-sys_resource --bounding-set=-sys_resource)
        if ! "${wrap[@]}" true 2>/dev/null || has_cap_sys_resource -1 "${wrap[@]}"; then
                eacces=
                echo "skip: this machine has CAP_SYS_RESOURCE and it cannot be dropped; the EACCES path is not tested"
        fi
fi
if [[ -n $eacces ]]; then
        spawn pn "$bin/$N"
        run "${wrap[@]}" "$CTL" --config "$fpol" apply --json --detailed-exitcodes
        expect_rc 1 "apply --detailed-exitcodes with a failure and a change"
        json_check "j['changed'] is True and j['failed'] == 1"
        json_check "[(f['type'], f['item'], f['reason']) for f in j['failures']] == [('process', '$pn $N', 'Permission denied')]"
        json_check "'CAP_SYS_RESOURCE' in j['failures'][0]['hint']"
        json_check "sorted((p['pid'], p['new'], p['error'] or '') for p in j['processes']) == sorted([($pa, 611, ''), ($pn, -1, 'Permission denied')])"
        expect_line err "1 failure \(listed in \"failures\"\)\."
        expect_adj "$pn" "$base" "the kernel refused"
        expect_adj "$pa" 611 "one failure must not stop the others"
        ok "EACCES: exit 1 although something else changed, a \"failures\" entry with the reason and hint"
        run "${wrap[@]}" "$CTL" --config "$fpol" apply --json --detailed-exitcodes
        expect_rc 1 "second apply with the same failure"
        json_check "j['changed'] is False and len(j['failures']) == 1"
        ok "a failure repeats (exit 1) while nothing else changes"
        stop "$pn"
fi

# ---- sysctls, on a fake /proc/sys under --root -----------------------------------------
# The policy holds the real current value and the fake file the other one, so
# even an apply that wrongly ignored --root would write nothing different.
[[ -r /proc/sys/vm/oom_dump_tasks && -r /proc/sys/vm/panic_on_oom ]] || skip "no vm.oom_dump_tasks/panic_on_oom here"
real=$(cat /proc/sys/vm/oom_dump_tasks)
real_panic=$(cat /proc/sys/vm/panic_on_oom)
other=$((real == 0 ? 1 : 0))
root="$tmp/root"
mkdir -p "$root/proc/sys/vm"
echo "$other" >"$root/proc/sys/vm/oom_dump_tasks"
spol="$tmp/policy-sysctl.conf"
write_policy "$spol" <<EOT
[sysctl]
vm.oom_dump_tasks = $real
EOT
ctl --root "$root" --config "$spol" apply --json --detailed-exitcodes
expect_rc 3 "apply --root of a sysctl"
json_check "j['changed'] is True and j['sysctl'] == [{'key': 'vm.oom_dump_tasks', 'old': $other, 'new': $real, 'origin': '$spol:2', 'error': None}] and j['failures'] == []"
[[ $(cat "$root/proc/sys/vm/oom_dump_tasks") == "$real" ]] || fail "the fake sysctl was not written"
ctl --root "$root" --config "$spol" apply --json --detailed-exitcodes
expect_rc 0 "second apply --root of a sysctl"
json_check "j['changed'] is False and j['sysctl'] == []"
ok "sysctl: exit 3 with key, old, new, origin; then exit 0, \"changed\": false"

# A sysctl that cannot be read (here a directory where the file should be).
mkdir -p "$root/proc/sys/vm/panic_on_oom"
write_policy "$spol" <<EOT
[sysctl]
vm.oom_dump_tasks = $real
vm.panic_on_oom = $real_panic
EOT
ctl --root "$root" --config "$spol" apply --json --detailed-exitcodes
expect_rc 1 "apply --root of an unreadable sysctl"
json_check "j['changed'] is False and [(f['type'], f['item']) for f in j['failures']] == [('sysctl', 'vm.panic_on_oom')] and j['failures'][0]['reason']"
json_check "[s['error'] is not None for s in j['sysctl'] if s['key'] == 'vm.panic_on_oom'] == [True]"
ok "a sysctl that fails: exit 1 and a \"failures\" entry"

[[ $(cat /proc/sys/vm/oom_dump_tasks) == "$real" && $(cat /proc/sys/vm/panic_on_oom) == "$real_panic" ]] ||
        fail "the host's sysctls changed"

# ---- usage ----------------------------------------------------------------------------------
ctl --config "$policy" check --detailed-exitcodes
expect_rc 2 "--detailed-exitcodes with check"
ok "--detailed-exitcodes belongs to apply (2 elsewhere)"
