#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenario 4, sysctls for real. Boot 1: vm.overcommit_memory = 2 makes an
# allocation beyond CommitLimit fail with ENOMEM instead of an OOM kill;
# restore_on_exit = yes puts the sysctls back on "systemctl stop"; then
# vm.panic_on_oom = 1 with kernel.panic = 5: a global OOM panics the guest,
# which reboots by itself. Boot 2 is that reboot.
# timeout: 1200
# duration: 160
. ./lib.sh

wait_until 300 system_settled || :
install -m 0755 "$IN/bin/oomtest-memhog" /usr/local/bin/oomtest-memhog
mkdir -p /etc/oompolicy.conf.d
sysctl_now() { cat "/proc/sys/$(echo "$1" | tr . /)"; }

if [ "$BOOT" = 1 ]; then
        before_oc=$(sysctl_now vm.overcommit_memory) before_ratio=$(sysctl_now vm.overcommit_ratio)
        committed=$(awk '/Committed_AS/ { print $2 }' /proc/meminfo)
        info "before: overcommit_memory $before_oc, ratio $before_ratio, Committed_AS $committed kB"
        # A ratio that leaves room for what already runs: strict accounting with
        # the default 50 % would refuse the guest's own services.
        printf '[sysctl]\nvm.overcommit_memory = 2\nvm.overcommit_ratio = 90\n\n[daemon]\nrestore_on_exit = yes\n' \
                >/etc/oompolicy.conf.d/50-strict.conf
        check "systemctl reload with the strict-overcommit drop-in" systemctl reload oompolicyd.service
        expect_eq "vm.overcommit_memory in /proc/sys" 2 "$(sysctl_now vm.overcommit_memory)"
        expect_eq "vm.overcommit_ratio in /proc/sys" 90 "$(sysctl_now vm.overcommit_ratio)"
        limit=$(awk '/CommitLimit/ { print $2 }' /proc/meminfo)
        since=$(date '+%Y-%m-%d %H:%M:%S')
        rc=0
        err=$(oomtest-memhog $((limit / 1024 + 64)) 0 2>&1) || rc=$?
        info "memhog beyond CommitLimit ($limit kB): status $rc: $err"
        case "$rc:$err" in
                1:*"Cannot allocate memory"*) pass "an allocation beyond CommitLimit ($limit kB) failed with ENOMEM" ;;
                *) fail "an allocation beyond CommitLimit ended with status $rc: $err" ;;
        esac
        check "no OOM kill happened" sh -c "! journalctl -k --since '$since' --no-pager -o cat | grep -q 'Killed process'"
        evidence "overcommit_memory=2, ratio 90: CommitLimit $limit kB; memhog of $((limit / 1024 + 64)) MiB: '$err' (status $rc), no OOM kill"

        check "systemctl stop" systemctl stop oompolicyd.service
        expect_eq "restore_on_exit put vm.overcommit_memory back" "$before_oc" "$(sysctl_now vm.overcommit_memory)"
        expect_eq "restore_on_exit put vm.overcommit_ratio back" "$before_ratio" "$(sysctl_now vm.overcommit_ratio)"
        rm -f /etc/oompolicy.conf.d/50-strict.conf
        check "systemctl start" systemctl start oompolicyd.service

        printf '[sysctl]\nvm.panic_on_oom = 1\nkernel.panic = 5\n' >/etc/oompolicy.conf.d/50-panic.conf
        check "systemctl reload with the panic drop-in" systemctl reload oompolicyd.service
        expect_eq "vm.panic_on_oom in /proc/sys" 1 "$(sysctl_now vm.panic_on_oom)"
        expect_eq "kernel.panic in /proc/sys" 5 "$(sysctl_now kernel.panic)"
        # From here on the guest is expected to panic; results so far are in the
        # share already (9p writes are not cached in the guest).
        echo armed >"$OUT/panic-armed"
        logger -t oomtest "panic armed"
        journalctl --sync
        sync
        oomtest-memhog 4096 0 || :
        sleep 30
        fail "the global OOM did not panic the guest"
        exit 1
fi

if [ "$BOOT" = 2 ]; then
        check "the guest came back by itself after the OOM panic (boot 2)" test -f "$OUT/panic-armed"
        check "the boot before this one is the one that armed the panic" sh -c \
                'journalctl -b -1 -t oomtest --no-pager -o cat | grep -q "panic armed"'
        clean=$(journalctl -b -1 --no-pager -o cat | grep -c -E 'Reached target .*(Power-Off|Reboot)|systemd-shutdown' || true)
        expect_eq "boot 1 did not shut down cleanly (it panicked)" 0 "$clean"
        evidence "panic_on_oom=1, kernel.panic=5: a global OOM panicked the guest, which rebooted by itself"
        expect_eq "the policy's vm.panic_on_oom is set again after the reboot" 1 "$(sysctl_now vm.panic_on_oom)"
        exit 0
fi
