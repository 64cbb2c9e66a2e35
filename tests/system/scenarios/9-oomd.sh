#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenario 9, systemd-oomd follows the policy: a slice with
# ManagedOOMMemoryPressure=kill and a low limit holds two services, keep and
# lose. Memory pressure is made by MemoryHigh= throttling. The control: with
# no preference oomd kills keep, the larger one. With a rule that marks
# keep's process oomd_preference = avoid, the daemon sets
# ManagedOOMPreference=avoid on its unit, and, as systemd 252 does not mark a
# running unit's cgroup, the user.oomd_avoid attribute oomd reads: oomd kills
# lose instead, with no restart of keep. The rule removed and reloaded, the
# unit's preference and the attribute are gone.
# timeout: 900
# duration: 119
. ./lib.sh

wait_until 300 system_settled || :
check "the guest runs cgroup v2" test -f /sys/fs/cgroup/cgroup.controllers
check "PSI is enabled (/proc/pressure/memory)" test -r /proc/pressure/memory

install -m 0755 "$IN/bin/oomtest-memhog" /usr/local/bin/oomtest-keep
install -m 0755 "$IN/bin/oomtest-memhog" /usr/local/bin/oomtest-lose

# oomd acts after 2 s above the limit instead of 30 s.
mkdir -p /etc/systemd/oomd.conf.d
printf '[OOM]\nDefaultMemoryPressureDurationSec=2s\n' >/etc/systemd/oomd.conf.d/50-oomtest.conf
systemctl unmask systemd-oomd.service systemd-oomd.socket >/dev/null 2>&1
check "systemd-oomd starts" systemctl start systemd-oomd.service

# The slice and its two services, for this boot only. Each service holds
# anonymous memory (its oomtest-* process: keep 40 MiB, lose 24 MiB) and
# re-reads a 16 MiB file of its own, so that the kernel has pages to reclaim
# (there is no swap) and the readers stall once the slice is throttled.
printf '[Slice]\nManagedOOMMemoryPressure=kill\nManagedOOMMemoryPressureLimit=10%%\n' >/run/systemd/system/oomtest.slice
for unit in keep:40 lose:24; do
        name=${unit%:*} mib=${unit#*:}
        {
                echo '[Service]'
                echo 'Slice=oomtest.slice'
                echo "ExecStartPre=/bin/rm -f /run/oomtest-$name.ready"
                echo "ExecStartPre=/bin/dd if=/dev/zero of=/var/tmp/oomtest-$name.data bs=1M count=16 status=none"
                echo "ExecStart=/bin/sh -c '/usr/local/bin/oomtest-$name $mib 0 /run/oomtest-$name.ready & while :; do cat /var/tmp/oomtest-$name.data; sleep 0.5; done >/dev/null'"
        } >"/run/systemd/system/oomtest-$name.service"
done
systemctl daemon-reload

# start_both LABEL: both services running with their memory, no pressure yet.
# The pressure of the last kill must have faded first: oomd would act on it.
calm() { awk '$1 == "full" { split($2, a, "="); exit !(a[2] < 2) }' /sys/fs/cgroup/oomtest.slice/memory.pressure 2>/dev/null; }
start_both() {
        systemctl set-property --runtime oomtest.slice MemoryHigh=infinity
        [ -e /sys/fs/cgroup/oomtest.slice ] && { wait_until 120 calm || fail "$1: the slice's pressure did not fade"; }
        systemctl reset-failed oomtest-keep.service oomtest-lose.service 2>/dev/null
        check "$1: both services run" systemctl restart oomtest-keep.service oomtest-lose.service
        check "$1: both hold their memory" wait_until 120 sh -c 'test -e /run/oomtest-keep.ready && test -e /run/oomtest-lose.ready'
        check "$1: oomd watches oomtest.slice" wait_until 60 sh -c 'oomctl 2>/dev/null | grep -q "oomtest.slice"'
}
# pressure LABEL: MemoryHigh= below what the slice holds, until oomd has
# killed one of the two services; prints the unit it killed.
pressure() {
        local since killed
        since=$(date '+%Y-%m-%d %H:%M:%S')
        systemctl set-property --runtime oomtest.slice MemoryHigh=48M || fail "$1: MemoryHigh=48M on oomtest.slice"
        wait_until 120 sh -c 'journalctl -u systemd-oomd.service --since "$1" --no-pager -o cat | grep -q "^Killed /oomtest.slice/"' _ "$since" ||
                fail "$1: systemd-oomd killed nothing within 120 s (slice: $(tr '\n' ' ' </sys/fs/cgroup/oomtest.slice/memory.pressure))"
        journalctl -u systemd-oomd.service --since "$since" --no-pager -o cat | sed "s/^/[$1] oomd: /" >&2
        killed=$(journalctl -u systemd-oomd.service --since "$since" --no-pager -o cat | sed -n 's|^Killed /oomtest.slice/\([^ ]*\) .*|\1|p' | head -n 1)
        evidence "systemd-oomd, $1: $(journalctl -u systemd-oomd.service --since "$since" --no-pager -o cat | grep -m1 '^Killed')"
        systemctl set-property --runtime oomtest.slice MemoryHigh=infinity
        echo "$killed"
}

# The control: no preference; oomd ranks by reclaim rate, then by usage.
start_both "control"
expect_eq "control: oomtest-keep.service's ManagedOOMPreference" none "$(unit_prop oomtest-keep.service ManagedOOMPreference)"
expect_eq "control: without a preference oomd kills the larger service" oomtest-keep.service "$(pressure control)"

# With the policy.
start_both "with the policy"
keep_main=$(main_pid oomtest-keep.service)
mkdir -p /etc/oompolicy.conf.d
# (every rule sets a value; 0 leaves the kernel's ranking as it was)
printf '[rule:keep]\nexe = /usr/local/bin/oomtest-keep\nuser = root\noom_score_adj = 0\noomd_preference = avoid\n' \
        >/etc/oompolicy.conf.d/60-oomd.conf
check "systemctl reload with the oomd_preference rule" systemctl reload oompolicyd.service
check "the daemon set ManagedOOMPreference=avoid on oomtest-keep.service" wait_until 60 sh -c \
        '[ "$(systemctl show -P ManagedOOMPreference oomtest-keep.service)" = avoid ]'
expect_eq "oomtest-lose.service keeps the default preference" none "$(unit_prop oomtest-lose.service ManagedOOMPreference)"
# What systemd-oomd reads is not the property but an extended attribute of the
# unit's cgroup, which systemd 252 (Debian 12) writes only when it creates the
# cgroup: the daemon writes it for the running unit.
cgdir=/sys/fs/cgroup/oomtest.slice/oomtest-keep.service
xattrs() { python3 -c 'import os, sys; print(" ".join(sorted(a for a in os.listxattr(sys.argv[1]) if a.startswith("user.oomd"))))' "$1" 2>&1; }
has_avoid() { python3 -c 'import os, sys; sys.exit("user.oomd_avoid" not in os.listxattr(sys.argv[1]))' "$cgdir" 2>/dev/null; }
lacks_avoid() { python3 -c 'import os, sys; sys.exit("user.oomd_avoid" in os.listxattr(sys.argv[1]))' "$cgdir" 2>/dev/null; }
check "the cgroup of the running oomtest-keep.service carries user.oomd_avoid (what oomd reads)" wait_until 60 has_avoid
info "user.oomd xattrs of oomtest-keep.service's cgroup: '$(xattrs "$cgdir")'"
evidence "systemd 252: ManagedOOMPreference=avoid set at runtime; the running cgroup's user.oomd xattrs: '$(xattrs "$cgdir")'"
journalctl -u oompolicyd.service --no-pager -o cat | grep 'oomtest-keep.service' | sed 's/^/[daemon] /' >&2
expect_eq "oomtest-keep.service was not restarted" "$keep_main" "$(main_pid oomtest-keep.service)"
expect_eq "ManagedOOMPreference of oomtest-keep.service" avoid "$(unit_prop oomtest-keep.service ManagedOOMPreference)"
keep_pid=$(pids_by_exe /usr/local/bin/oomtest-keep)
explain=$(oompolicyctl explain "$keep_pid" 2>&1)
info "explain $keep_pid: $explain"
case "$explain" in
        *oomtest-keep.service*avoid*) pass "oompolicyctl explain shows the unit and its oomd preference" ;;
        *) fail "oompolicyctl explain $keep_pid does not show oomtest-keep.service and avoid" ;;
esac
expect_eq "with the policy: oomd kills the other service" oomtest-lose.service "$(pressure "with the policy")"
check "oomtest-keep.service (ManagedOOMPreference=avoid) is still active" systemctl -q is-active oomtest-keep.service
expect_eq "its main process is the same" "$keep_main" "$(main_pid oomtest-keep.service)"
expect_eq "systemd records oomd's kill of oomtest-lose.service" oom-kill "$(unit_prop oomtest-lose.service Result)"

# Without the rule the daemon takes its preference back.
rm /etc/oompolicy.conf.d/60-oomd.conf
check "systemctl reload without the rule" systemctl reload oompolicyd.service
check "oomtest-keep.service's ManagedOOMPreference is no longer avoid" wait_until 60 sh -c \
        '[ "$(systemctl show -P ManagedOOMPreference oomtest-keep.service)" != avoid ]'
info "ManagedOOMPreference now: $(unit_prop oomtest-keep.service ManagedOOMPreference)"
check "the cgroup of oomtest-keep.service no longer carries user.oomd_avoid" wait_until 60 lacks_avoid

systemctl stop oomtest-keep.service oomtest-lose.service systemd-oomd.service 2>/dev/null
systemctl reset-failed oomtest-keep.service oomtest-lose.service 2>/dev/null
rm -f /run/systemd/system/oomtest-*.service /run/systemd/system/oomtest.slice /var/tmp/oomtest-*.data \
        /run/oomtest-*.ready /etc/systemd/oomd.conf.d/50-oomtest.conf
systemctl daemon-reload
