#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenario 6, the package's life cycle on a machine that never had it:
# install, upgrade to a higher version of the same tree, remove, purge.
# needs: base
# timeout: 900
# duration: 77
. ./lib.sh

wait_until 300 system_settled || :
cp /bin/sleep /usr/local/bin/oomtest-sleeper

if install_package ./oompolicyd.deb; then pass "installed $(dpkg-query -W -f='${Version}' oompolicyd)"; else fail "dpkg -i: $(tail -n 5 "$OUT/dpkg.log")"; exit 1; fi
expect_eq "enabled by the package" enabled "$(systemctl is-enabled oompolicyd.service)"
check "running after installation" wait_until 60 systemctl -q is-active oompolicyd.service
check "the unit is where systemd looks" test -f "$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)/oompolicyd.service"
check "the vendor policy is in /usr/lib/oompolicy" test -f /usr/lib/oompolicy/oompolicy.conf
check "/etc/oompolicy.conf.d ships empty" sh -c '[ -d /etc/oompolicy.conf.d ] && [ -z "$(ls -A /etc/oompolicy.conf.d)" ]'
example=$(dpkg -L oompolicyd | grep -E '\.example$' | head -n 1)
if [ -n "$example" ] && [ -f "$example" ]; then
        cp "$example" /tmp/example.conf
        check "the example drop-in ($example) is valid when copied to a .conf" oompolicyctl check --config /tmp/example.conf
else
        fail "no example drop-in in the package"
fi
check "oompolicyctl check passes on the installed policy" oompolicyctl check

# An admin's drop-in, then the upgrade.
/usr/local/bin/oomtest-sleeper 3600 &
sleeper=$!
printf '[rule:sleeper]\nname = oomtest-sleeper\noom_score_adj = 250\n' >/etc/oompolicy.conf.d/50-site.conf
systemctl reload oompolicyd.service
check "the admin's drop-in applies" adj_becomes "$sleeper" 250 60
old_pid=$(main_pid oompolicyd.service)
if install_package ./oompolicyd-upgrade.deb; then pass "upgraded to $(dpkg-query -W -f='${Version}' oompolicyd)"; else fail "upgrade: $(tail -n 5 "$OUT/dpkg.log")"; fi
check "the upgrade restarted the daemon" wait_until 60 sh -c \
        "[ \"\$(systemctl show -P MainPID oompolicyd.service)\" != $old_pid ] && systemctl -q is-active oompolicyd.service"
check "the admin's drop-in survived the upgrade" test -f /etc/oompolicy.conf.d/50-site.conf
expect_eq "its rule still holds after the restart" 250 "$(adj_of "$sleeper")"

# Remove: stopped, the admin's drop-in kept.
if DEBIAN_FRONTEND=noninteractive dpkg -r oompolicyd >"$OUT/dpkg-r.log" 2>&1; then pass "dpkg -r"; else fail "dpkg -r: $(tail -n 5 "$OUT/dpkg-r.log")"; fi
check "stopped after removal" sh -c '! systemctl -q is-active oompolicyd.service'
no_daemon_left() { [ -z "$(pids_by_exe /usr/sbin/oompolicyd)" ]; }
check "no oompolicyd process left" no_daemon_left
check "the admin's drop-in is kept on removal" test -f /etc/oompolicy.conf.d/50-site.conf

# Purge: nothing of the package left in /etc or /run (the admin's file is not
# the package's; dpkg leaves a directory that still holds one).
if DEBIAN_FRONTEND=noninteractive dpkg -P oompolicyd >"$OUT/dpkg-P.log" 2>&1; then pass "dpkg -P"; else fail "dpkg -P: $(tail -n 5 "$OUT/dpkg-P.log")"; fi
left=$(find /etc /run /var/lib/systemd -name '*oompolicy*' ! -path /etc/oompolicy.conf.d ! -path /etc/oompolicy.conf.d/50-site.conf 2>/dev/null)
expect_eq "nothing of the package left in /etc, /run or systemd's state after purge" "" "$left"
rm -f /etc/oompolicy.conf.d/50-site.conf
rmdir /etc/oompolicy.conf.d 2>/dev/null || :
kill "$sleeper" 2>/dev/null || :
