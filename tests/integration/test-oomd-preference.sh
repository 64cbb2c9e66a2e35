#!/bin/bash
# SPDX-License-Identifier: MIT
# oomd_preference and the killers of a process, on a fake --root tree with a
# cgroup v2 unit layout and no system bus: check validates the key, apply
# --dry-run finds the units (skipping a user's), explain shows the unit,
# memory.oom.group and the verdict with the bus-only facts unknown. The D-Bus
# path itself is proven in the guest (tests/system).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/inspect-lib.sh"

inspect_setup
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$tmp/no-such-bus"

fake_proc() {
        local root=$1 pid=$2 comm=$3 start=$4 adj=$5 rss=$6 cgroup=$7
        local d="$root/proc/$pid"
        mkdir -p "$d"
        echo "$pid ($comm) S 1 $pid $pid 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 $start 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0" >"$d/stat"
        printf 'Name:\t%s\nUid:\t0\t0\t0\t0\nVmRSS:\t%s kB\nVmPTE:\t0 kB\nVmSwap:\t0 kB\n' "$comm" "$rss" >"$d/status"
        echo "$adj" >"$d/oom_score_adj"
        echo 0 >"$d/oom_score"
        printf '%b' "$cgroup" >"$d/cgroup"
        printf '%s\0' "$comm" >"$d/cmdline"
}

fake="$tmp/fake"
mkdir -p "$fake/proc/self" "$fake/proc/sys/vm"
printf 'MemTotal: 4000000 kB\nMemFree: 3000000 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n' >"$fake/proc/meminfo"
echo "26 25 0:24 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate" >"$fake/proc/self/mountinfo"
cg="$fake/sys/fs/cgroup"
mkdir -p "$cg/system.slice/ssh.service" "$cg/user.slice/user-1000.slice/user@1000.service/app.slice/x.service"
echo "cpu io memory pids" >"$cg/cgroup.controllers"
echo 1 >"$cg/system.slice/ssh.service/memory.oom.group"
chown 1000:1000 "$cg/user.slice/user-1000.slice/user@1000.service/app.slice/x.service"
fake_proc "$fake" 1 systemd 1 0 4000 '0::/init.scope\n'
fake_proc "$fake" 20 sshd 100 0 8000 '0::/system.slice/ssh.service\n'
fake_proc "$fake" 21 userd 110 0 8000 '0::/user.slice/user-1000.slice/user@1000.service/app.slice/x.service\n'
fake_proc "$fake" 22 loose 120 0 8000 '0::/\n'

policy="$tmp/policy.conf"
write_policy "$policy" <<'POL'
[rule:sshd]
name = sshd
oom_score_adj = 0
oomd_preference = avoid
[rule:userd]
name = userd loose
oom_score_adj = 0
oomd_preference = omit
POL

# ---- check ----------------------------------------------------------------------
bad="$tmp/bad.conf"
write_policy "$bad" <<'POL'
[rule:x]
name = x
oom_score_adj = 1
oomd_preference = sometimes
POL
ctl check --config "$bad"
expect_rc 1 "check with a bad oomd_preference"
expect_line err "$(re "$bad"):4: invalid value 'sometimes' for 'oomd_preference' \(expected avoid or omit\)"
ctl check --config "$policy"
expect_rc 0 "check with oomd_preference = avoid and omit"
ok "check validates oomd_preference (FILE:LINE: message)"

# ---- apply --dry-run ------------------------------------------------------------------
ctl --root "$fake" --config "$policy" apply --dry-run
expect_rc 0 "apply --dry-run without a bus"
expect_line out "x.service: ManagedOOMPreference \? -> omit \(userd\): skipped: a user owns its cgroup, .*"
expect_line out "0 of [0-9]+ processes would change; 0 sysctls would change; 0 units would change\."
expect_line err "warning: ManagedOOMPreference= of 1 unit not set: no system bus .*"
expect_no_line out "loose|ssh.service"
ctl --root "$fake" --config "$policy" apply --dry-run --json
json_check "j['units'] == [{'unit': 'x.service', 'old': None, 'new': 'omit', 'rule': 'userd', 'error': None,
            'note': 'skipped: a user owns its cgroup, and systemd-oomd ignores the preference there'}]"
ok "apply --dry-run: the unit of each matched process once, a user's skipped, no bus a warning (not a failure)"

# ---- explain and top --------------------------------------------------------------------
ctl --root "$fake" --config "$policy" explain 20
expect_rc 0 "explain 20"
expect_line out "Unit: ssh.service"
expect_line out "  OOMPolicy=unknown \(no system bus\)"
expect_line out "memory.oom.group: yes, on /system.slice/ssh.service"
expect_line out "Verdict: kernel: by its size \(0\); kernel kills its whole cgroup /system.slice/ssh.service \(memory.oom.group\); systemd: OOMPolicy= of ssh.service unknown; systemd-oomd: preference unknown"
ctl --root "$fake" --config "$policy" explain 22 --json
json_check "j['killers']['unit'] is None and j['killers']['oom_group'] is None and j['killers']['verdict'] == 'kernel: by its size (0)'"
ctl --root "$fake" --config "$policy" --json explain 21
json_check "j['killers']['unit'] == 'x.service' and j['killers']['cgroup_user_owned'] is True"
ctl --root "$fake" --config "$policy" top --all --json
json_check "{e['pid']: (e['unit'], e['oom_group']) for e in j if e['pid'] >= 20} == {20: ('ssh.service', True), 21: ('x.service', False), 22: (None, None)}"
ok "explain and top: the unit from /proc/PID/cgroup, memory.oom.group, the verdict; bus facts unknown"
