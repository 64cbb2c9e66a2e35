#!/bin/bash
# SPDX-License-Identifier: MIT
# Installs the package into the fresh machine: the overlay this leaves behind is
# the machine the numbered scenarios boot (the daemon then starts with the boot).
# timeout: 600
. ./lib.sh

wait_until 300 system_settled || info "system not settled: $(systemctl is-system-running)"
if install_package ./oompolicyd.deb; then
        pass "dpkg -i $(dpkg-deb -f ./oompolicyd.deb Package)_$(dpkg-deb -f ./oompolicyd.deb Version) installed offline"
else
        fail "dpkg -i failed: $(tail -n 5 "$OUT/dpkg.log" | tr '\n' ' ')"
        exit 1
fi
expect_eq "the unit is enabled by the package" enabled "$(systemctl is-enabled oompolicyd.service)"
check "the unit is active right after installation" wait_until 60 systemctl -q is-active oompolicyd.service
