#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenario 1, boot: the installed daemon starts with the machine, is ready
# before sshd starts, and the processes the shipped policy names hold their
# values, the negative ones really written (the guest has CAP_SYS_RESOURCE).
# timeout: 600
# duration: 154
. ./lib.sh

wait_until 300 system_settled || info "system not settled: $(systemctl is-system-running)"

check "oompolicyd.service is active after boot" systemctl -q is-active oompolicyd.service
ready=$(unit_prop oompolicyd.service ActiveEnterTimestampMonotonic)
ssh_start=$(unit_prop ssh.service ExecMainStartTimestampMonotonic)
if [ "${ready:-0}" -gt 0 ] && [ "${ssh_start:-0}" -gt 0 ] && [ "$ready" -lt "$ssh_start" ]; then
        pass "READY=1 (${ready} µs after boot) came before sshd was started (${ssh_start} µs)"
else
        fail "oompolicyd ready at '${ready}' µs, sshd started at '${ssh_start}' µs: not in that order"
fi
status_text=$(unit_prop oompolicyd.service StatusText)
case "$status_text" in
        *rules*adjusted*) pass "the unit's STATUS= is the daemon's: '$status_text'" ;;
        *) fail "unexpected STATUS= text '$status_text'" ;;
esac
check "systemctl status shows it" sh -c 'systemctl status oompolicyd.service --no-pager | grep -q "Status: \".*rules"'

dpid=$(main_pid oompolicyd.service)
expect_eq "the daemon holds its own value" -1000 "$(adj_of "$dpid")"

# Every process of each protected program, whatever started it.
expect_values() {
        local what=$1 want=$2 pid n=0
        shift 2
        for pid in $(pids_by_exe "$@"); do
                [ "$(stat -c %u "/proc/$pid")" = 0 ] || continue
                n=$((n + 1))
                adj_becomes "$pid" "$want" 30 ||
                        { fail "$what pid $pid ($(comm_of "$pid")) holds $(adj_of "$pid"), not $want"; return; }
        done
        if [ "$n" -gt 0 ]; then pass "$what: $n root process(es) hold $want"; else fail "$what: no process of $*"; fi
}
expect_values "sshd listener" -1000 /usr/sbin/sshd
expect_values "rsyslogd" -900 /usr/sbin/rsyslogd
expect_values "systemd-journald" -900 /lib/systemd/systemd-journald /usr/lib/systemd/systemd-journald

# The privileged monitor of a live session holds the listener's value; the
# user's own processes do not (scenario 2 looks closer).
setup_ssh_user alice
client=$(ssh_session_bg alice 'exec sleep 600')
monitor_seen() {
        local pid
        for pid in $(pids_by_exe /usr/sbin/sshd); do
                [ "$pid" != "$(main_pid ssh.service)" ] && [ "$(stat -c %u /proc/$pid)" = 0 ] && echo "$pid" && return 0
        done
        return 1
}
if wait_until 120 monitor_seen >/dev/null; then
        monitor=$(monitor_seen)
        expect_eq "the root monitor of a live ssh session (pid $monitor)" -1000 "$(adj_of "$monitor")"
else
        fail "no privileged sshd monitor appeared for alice's session"
fi
kill "$client" 2>/dev/null || :

# What was written is what the kernel reports, not only what the daemon says.
journal=$(journalctl -b -u oompolicyd.service --no-pager -o cat)
info "daemon's journal:"; echo "$journal" | head -n 40
check "the daemon logged no error this boot" test -z "$(journalctl -b -u oompolicyd.service -p err --no-pager -q -o cat)"
