#!/bin/bash
# SPDX-License-Identifier: MIT
# oompolicyctl apply with a policy whose sysctls already have their values:
# nothing is printed and nothing changes. The real /proc/sys is never set to a
# different value; the write path is exercised on a fake tree under --root.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

setup
require_python

keys=(vm.panic_on_oom vm.oom_dump_tasks vm.overcommit_memory)
declare -A before
for k in "${keys[@]}"; do
        f="/proc/sys/${k//.//}"
        [[ -r $f ]] || skip "$f is not readable here"
        before[$k]=$(cat "$f")
done
ok "current values: $(for k in "${keys[@]}"; do printf '%s=%s ' "$k" "${before[$k]}"; done)"

unchanged() {
        local k now
        for k in "${keys[@]}"; do
                now=$(cat "/proc/sys/${k//.//}")
                [[ "$now" == "${before[$k]}" ]] || fail "$k changed from ${before[$k]} to $now ($1)"
        done
}

policy="$tmp/policy.conf"
write_policy "$policy" <<EOF
# every sysctl at its current value
[sysctl]
vm.panic_on_oom = ${before[vm.panic_on_oom]}
vm.oom_dump_tasks = ${before[vm.oom_dump_tasks]}
vm.overcommit_memory = ${before[vm.overcommit_memory]}
EOF

ctl check --config "$policy"
expect_rc 0 "check"
line=3
for k in "${keys[@]}"; do
        expect_line out " +$(re "$k") += ${before[$k]} +\($(re "$policy"):$line\)" "sysctl with its origin:"
        line=$((line + 1))
done
ok "check lists the three sysctls with their values and FILE:LINE"

ctl apply --dry-run --config "$policy"
expect_rc 0 "apply --dry-run"
expect_line out "0 of [0-9]+ processes would change; 0 sysctls would change\." "dry-run summary"
[[ $(wc -l <"$tmp/out") -eq 1 ]] || fail "apply --dry-run printed more than its summary: $(cat "$tmp/out")"
expect_empty err
unchanged "apply --dry-run"
ok "apply --dry-run: nothing to do, and it says so"

ctl apply --config "$policy"
expect_rc 0 "apply"
expect_empty out
expect_empty err
unchanged "apply"
ok "apply: exit 0, no sysctl line, values unchanged"

ctl apply --json --config "$policy"
expect_rc 0 "apply --json"
json_parses
json_check "j['sysctl'] == [] and j['failed'] == 0 and j['changed'] is False"
unchanged "apply --json"
ok "apply --json: the sysctl list is empty"

# ---- the write path, on a fake /proc/sys under --root ------------------------
# The fake file holds the other value; the policy holds the real current value,
# so even an apply that wrongly ignored --root would write nothing different.
root="$tmp/root"
mkdir -p "$root/proc/sys/vm"
real=${before[vm.oom_dump_tasks]}
other=$((real == 0 ? 1 : 0))
echo "$other" >"$root/proc/sys/vm/oom_dump_tasks"
fpol="$tmp/policy-fake.conf"
write_policy "$fpol" <<EOF
[sysctl]
vm.oom_dump_tasks = $real
EOF

ctl --root "$root" apply --dry-run --config "$fpol"
expect_rc 0 "apply --dry-run --root"
expect_line out "vm\.oom_dump_tasks $other -> $real \($(re "$fpol"):2\)" "change:"
[[ $(cat "$root/proc/sys/vm/oom_dump_tasks") == "$other" ]] || fail "--dry-run wrote the fake sysctl"
ctl --root "$root" apply --config "$fpol"
expect_rc 0 "apply --root"
expect_empty err
expect_line out "vm\.oom_dump_tasks $other -> $real \($(re "$fpol"):2\)" "change:"
[[ $(wc -l <"$tmp/out") -eq 1 ]] || fail "expected exactly one line (the fake /proc has no processes)"
[[ $(cat "$root/proc/sys/vm/oom_dump_tasks") == "$real" ]] || fail "the fake sysctl was not written"
unchanged "apply --root must not touch the real /proc/sys"
ok "apply --root writes DIR/proc/sys and prints 'vm.oom_dump_tasks $other -> $real (FILE:LINE)'"
ctl --root "$root" apply --config "$fpol"
expect_rc 0 "second apply --root"
expect_empty out
ok "a second apply --root prints nothing"
