#!/bin/bash
# SPDX-License-Identifier: MIT
# oomd_preference over D-Bus, against a stand-in for systemd (oomtest-mock-systemd)
# on a private bus, with a fake --root /proc and cgroup tree: the daemon reads the
# unit's ManagedOOMPreference=, sets it once as a runtime property and logs it; a
# reload without the key gives the value from before back, and so does SIGTERM
# with restore_on_exit; a daemon started before the bus sets it once the bus is
# there; explain shows the unit's properties; apply sets it. The
# real systemd is in the guest (tests/system).
set -euo pipefail
. "$(dirname "$0")/daemon-lib.sh"

daemon_setup
command -v dbus-daemon >/dev/null || skip "no dbus-daemon"
MOCK="$top_builddir/tests/integration/oomtest-mock-systemd"
[[ -x "$MOCK" ]] || fail "$MOCK not built"

cat >"$tmp/bus.conf" <<BUSEOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>custom</type>
  <listen>unix:path=$tmp/bus.real</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
    <allow own="*"/>
    <allow user="*"/>
  </policy>
</busconfig>
BUSEOF
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$tmp/bus"

fake="$tmp/fake"
mkdir -p "$fake/proc/20" "$fake/proc/sys/vm" "$fake/proc/self" "$fake/sys/fs/cgroup/system.slice/ssh.service"
echo "20 (sshd) S 1 20 20 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0" >"$fake/proc/20/stat"
printf 'Name:\tsshd\nUid:\t0\t0\t0\t0\nVmRSS:\t8000 kB\nVmPTE:\t0 kB\nVmSwap:\t0 kB\n' >"$fake/proc/20/status"
echo 0 >"$fake/proc/20/oom_score_adj"
echo 0 >"$fake/proc/20/oom_score"
printf 'sshd\0' >"$fake/proc/20/cmdline"
printf '0::/system.slice/ssh.service\n' >"$fake/proc/20/cgroup"
printf 'MemTotal: 4000000 kB\nMemFree: 3000000 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n' >"$fake/proc/meminfo"
echo "26 25 0:24 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw" >"$fake/proc/self/mountinfo"
echo "memory" >"$fake/sys/fs/cgroup/cgroup.controllers"

policy="$tmp/policy.conf"
write_policy "$policy" <<POLEOF
[rule:sshd]
name = sshd
oom_score_adj = 100
oomd_preference = avoid
$(test_daemon_section)
POLEOF

# The daemon starts before the bus, as at boot: it says so once, and once the bus is
# there (it asks every 30 s) a rescan sets the preference.
ALLOW_FALLBACK=yes start_daemon "$policy" --root "$fake"
wait_log "Cannot set ManagedOOMPreference= of ssh.service \(rule 'sshd'\): no system bus .*"
dbus-daemon --config-file="$tmp/bus.conf" --nofork --nopidfile >"$tmp/dbus.log" 2>&1 &
PIDS+=("$!")
for ((i = 0; i < 200; i++)); do [[ -S "$tmp/bus.real" ]] && break; sleep 0.05; done
[[ -S "$tmp/bus.real" ]] || fail "dbus-daemon did not create $tmp/bus.real: $(cat "$tmp/dbus.log")"
# The daemon sees the bus only once systemd (the mock) is on it.
DBUS_SYSTEM_BUS_ADDRESS="unix:path=$tmp/bus.real" "$MOCK" ssh.service >"$tmp/mock.out" 2>"$tmp/mock.err" &
PIDS+=("$!")
for ((i = 0; i < 200; i++)); do grep -q READY "$tmp/mock.out" && break; sleep 0.05; done
grep -q READY "$tmp/mock.out" || fail "the mock systemd did not start: $(cat "$tmp/mock.err")"
ln -s "$tmp/bus.real" "$tmp/bus"
ok "private bus at $tmp/bus with a mock systemd holding ssh.service"
wait_log "The system bus is there now: setting ManagedOOMPreference= of units." 45
wait_log "ssh.service: ManagedOOMPreference=avoid \(was none\), rule sshd"
grep -qx "SET ssh.service ManagedOOMPreference avoid runtime" "$tmp/mock.out" ||
        fail "the mock did not get SetUnitProperties(ssh.service, runtime, avoid): $(cat "$tmp/mock.out")"
ok "the daemon set ManagedOOMPreference=avoid on ssh.service at runtime and logged it"

# Once per unit: a reload with the same rule rescans and sets nothing again.
kill -HUP "$DPID"
wait_log_count "Reloaded" 1
[[ $(grep -c "^SET " "$tmp/mock.out") -eq 1 ]] || fail "set again: $(cat "$tmp/mock.out")"
ok "a reload with the same rule sets nothing again"

ctl --root "$fake" --config "$policy" explain 20
expect_rc 0 "explain 20"
expect_line out "Unit: ssh.service"
expect_line out "  OOMPolicy=stop"
expect_line out "  ManagedOOMPreference=avoid"
expect_line out "Verdict: kernel: more likely than its size says \(100\); systemd stops ssh.service if any process in it is OOM-killed \(OOMPolicy=stop\); systemd-oomd: avoided \(only if nothing else is left\)"
ok "explain shows the unit's OOMPolicy= and ManagedOOMPreference= from the bus, and the verdict"

replace_policy "$policy" <<POLEOF
[rule:sshd]
name = sshd
oom_score_adj = 100
$(test_daemon_section)
POLEOF
kill -HUP "$DPID"
wait_log "ssh.service: ManagedOOMPreference=none restored \(was avoid, rule sshd; the rule no longer asks for it\)"
grep -qx "SET ssh.service ManagedOOMPreference none runtime" "$tmp/mock.out" || fail "not restored: $(cat "$tmp/mock.out")"
ok "a reload without the key gives ssh.service its ManagedOOMPreference=none back"

# restore_on_exit: set again, then given back at SIGTERM.
replace_policy "$policy" <<POLEOF
[rule:sshd]
name = sshd
oom_score_adj = 100
oomd_preference = omit
$(test_daemon_section "restore_on_exit = yes")
POLEOF
kill -HUP "$DPID"
wait_log "ssh.service: ManagedOOMPreference=omit \(was none\), rule sshd"
stop_daemon TERM 5
[[ $DRC -eq 0 ]] || fail "the daemon exited $DRC"
grep -Eq "ssh.service: ManagedOOMPreference=none restored \(was omit, rule sshd; daemon stopping, restore_on_exit\)" "$DLOG" ||
        fail "no restore at exit in $DLOG"
[[ $(tail -n 1 "$tmp/mock.out") == "SET ssh.service ManagedOOMPreference none runtime" ]] || fail "last call: $(tail -n 1 "$tmp/mock.out")"
ok "restore_on_exit gives the value from before back at SIGTERM"

ctl --root "$fake" --config "$policy" apply --dry-run
expect_rc 0 "apply --dry-run"
expect_line out "ssh.service: ManagedOOMPreference none -> omit \(sshd\)"
expect_line out "[0-9]+ of 1 process would change; 0 sysctls would change; 1 unit would change\."
ctl --root "$fake" --config "$policy" apply
expect_rc 0 "apply"
[[ $(tail -n 1 "$tmp/mock.out") == "SET ssh.service ManagedOOMPreference omit runtime" ]] || fail "apply: $(tail -n 1 "$tmp/mock.out")"
ok "apply --dry-run says what would change, apply sets it"
