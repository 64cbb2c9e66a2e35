#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenario 5, the daemon's life cycle under systemd: reloads good and bad,
# kill -9, SIGSTOP and the watchdog, a policy the ExecStartPre check rejects
# (and the boot going on regardless), two daemons on one state directory.
# timeout: 1200
# duration: 138
. ./lib.sh

wait_until 300 system_settled || :
mkdir -p /etc/oompolicy.conf.d
cp /bin/sleep /usr/local/bin/oomtest-sleeper
sshd=$(main_pid ssh.service)

if [ "$BOOT" = 1 ]; then
        /usr/local/bin/oomtest-sleeper 3600 &
        sleeper=$!

        # A broken drop-in: the reload fails, the old policy stays.
        printf '[rule:sleeper]\nname = oomtest-sleeper\noom_score_adj = 5000\n' >/etc/oompolicy.conf.d/70-site.conf
        check "systemctl reload reports the failed reload" sh -c '! systemctl reload oompolicyd.service'
        check "the unit is still active" systemctl -q is-active oompolicyd.service
        check "the journal has the FILE:LINE error" sh -c \
                'journalctl -b -u oompolicyd.service --no-pager -o cat | grep -q "/etc/oompolicy.conf.d/70-site.conf:3: "'
        check "oompolicyctl reload exits non-zero for the broken policy" sh -c '! oompolicyctl reload'
        expect_eq "the old policy still protects sshd" -1000 "$(adj_of "$sshd")"
        expect_eq "the running sleeper was not touched" 0 "$(adj_of "$sleeper")"

        # The fixed drop-in applies to processes that already run.
        printf '[rule:sleeper]\nname = oomtest-sleeper\noom_score_adj = 300\n' >/etc/oompolicy.conf.d/70-site.conf
        check "oompolicyctl reload exits 0 for the fixed policy" oompolicyctl reload
        check "the fixed drop-in applied to the running sleeper" adj_becomes "$sleeper" 300 60

        # kill -9: systemd restarts it, and a process born meanwhile is found.
        old=$(main_pid oompolicyd.service)
        restarts=$(unit_prop oompolicyd.service NRestarts)
        kill -KILL "$old"
        /usr/local/bin/oomtest-sleeper 3600 &
        orphan=$!
        check "systemd restarted the daemon after kill -9" wait_until 120 sh -c \
                "[ \"\$(systemctl show -P MainPID oompolicyd.service)\" != $old ] && systemctl -q is-active oompolicyd.service"
        expect_eq "NRestarts went up by one" $((restarts + 1)) "$(unit_prop oompolicyd.service NRestarts)"
        check "a sleeper started while the daemon was down got its value" adj_becomes "$orphan" 300 60
        expect_eq "sshd still holds its value" -1000 "$(adj_of "$sshd")"

        # SIGSTOP: nothing crashes, only the watchdog notices. The shipped 3 min
        # are shortened by a drop-in, as an admin could: the mechanism is the same.
        mkdir -p /etc/systemd/system/oompolicyd.service.d
        printf '[Service]\nWatchdogSec=20s\n' >/etc/systemd/system/oompolicyd.service.d/50-watchdog.conf
        systemctl daemon-reload
        systemctl restart oompolicyd.service
        old=$(main_pid oompolicyd.service)
        kill -STOP "$old"
        check "the watchdog restarted the stopped daemon" wait_until 240 sh -c \
                "[ \"\$(systemctl show -P MainPID oompolicyd.service)\" != $old ] && systemctl -q is-active oompolicyd.service"
        check "the journal says why" sh -c 'journalctl -b -u oompolicyd.service --no-pager -o cat | grep -qi "watchdog timeout"'
        rm -r /etc/systemd/system/oompolicyd.service.d
        systemctl daemon-reload

        # Two daemons on one state directory.
        rc=0
        second=$(timeout 60 /usr/sbin/oompolicyd --log-target=console 2>&1) || rc=$?
        info "second daemon: status $rc: $second"
        if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && echo "$second" | grep -q "already running"; then
                pass "a second daemon on /run/oompolicyd refuses: $second"
        else
                fail "a second daemon on the same state directory: status $rc: $second"
        fi
        check "the first one still runs" systemctl -q is-active oompolicyd.service

        # A policy the ExecStartPre check rejects: the unit fails with the errors
        # in the journal, and the next boot goes on without it.
        printf '[rule:sleeper]\nname = oomtest-sleeper\noom_score_adj = high\n' >/etc/oompolicy.conf.d/70-site.conf
        check "restart with a broken policy fails" sh -c '! systemctl restart oompolicyd.service'
        expect_eq "the unit is failed" failed "$(systemctl is-active oompolicyd.service)"
        check "the check's FILE:LINE error is in the journal" sh -c \
                'journalctl -b -u oompolicyd.service --no-pager -o cat | grep -q "70-site.conf:3: .*high"'
        systemctl reboot
        exit 0
fi

if [ "$BOOT" = 2 ]; then
        state=$(systemctl is-system-running)
        case "$state" in
                running|degraded) pass "the boot with a broken policy went on (system $state)" ;;
                *) fail "the boot with a broken policy: system is $state" ;;
        esac
        expect_eq "oompolicyd.service failed at boot" failed "$(systemctl is-active oompolicyd.service)"
        check "sshd started anyway" systemctl -q is-active ssh.service
        check "the ExecStartPre check's error is in this boot's journal" sh -c \
                'journalctl -b -u oompolicyd.service --no-pager -o cat | grep -q "70-site.conf:3: "'
        rm -f /etc/oompolicy.conf.d/70-site.conf
        check "after fixing the policy the unit starts" systemctl restart oompolicyd.service
        exit 0
fi
