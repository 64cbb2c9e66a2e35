#!/bin/bash
# SPDX-License-Identifier: MIT
# oompolicyctl check's lints on a machine with systemd: unit-oom-policy asks
# systemd over the bus for a unit's OOMPolicy= and fires where a protected process
# shares an OOMPolicy=stop service with an unprotected one, not where the unit has
# OOMPolicy=continue; the installed policy with the Kubernetes node profile linked
# in has no lint at all (--strict).
# timeout: 600
. ./lib.sh

wait_until 300 system_settled || :
cp /bin/sleep /usr/local/bin/oomlint-guard
cat >/tmp/lint.conf <<'END'
[rule:guard]
name = oomlint-guard
exe = /usr/local/bin/oomlint-guard
user = root
oom_score_adj = -999
END
chmod 0644 /tmp/lint.conf

# In each unit: the protected guard, and the shell's sleep next to it (unprotected).
for policy in stop continue; do
        systemd-run --unit="oomlint-$policy.service" -p OOMPolicy=$policy \
                /bin/sh -c '/usr/local/bin/oomlint-guard 600 & exec sleep 600' >/dev/null
done
check "both units run their guard" wait_until 60 sh -c '[ "$(pgrep -xc oomlint-guard)" = 2 ]'
expect_eq "systemd reports OOMPolicy=stop" stop "$(unit_prop oomlint-stop.service OOMPolicy)"

rc=0
oompolicyctl check --config /tmp/lint.conf >/dev/null 2>"$OUT/check.err" || rc=$?
info "$(cat "$OUT/check.err")"
expect_eq "check without --strict exits 0" 0 "$rc"
check "unit-oom-policy fires for oomlint-stop.service" grep -Eq \
        "^warning\[unit-oom-policy\]: /tmp/lint.conf:5: rule 'guard' protects PID [0-9]+ \(oomlint-guard, oom_score_adj -999\) in oomlint-stop.service, which has OOMPolicy=stop .*OOMPolicy=continue.*" \
        "$OUT/check.err"
check "and not for oomlint-continue.service" sh -c "! grep -q 'oomlint-continue' '$OUT/check.err'"

rc=0
oompolicyctl check --strict --json --config /tmp/lint.conf >"$OUT/check.json" 2>/dev/null || rc=$?
expect_eq "check --strict exits 1" 1 "$rc"
check "--json: one unit-oom-policy lint for rule guard" python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
l = [x for x in j["lints"] if x["id"] == "unit-oom-policy"]
sys.exit(0 if len(l) == 1 and l[0]["rule"] == "guard" and l[0]["severity"] == "error" else 1)' "$OUT/check.json"

systemctl stop oomlint-stop.service oomlint-continue.service 2>/dev/null || :

# The installed policy with the profile linked in: no lint on this machine.
ln -sf /usr/lib/oompolicy/profiles/kubernetes-node.conf /etc/oompolicy.conf.d/60-kubernetes-node.conf
rc=0
oompolicyctl check --strict --assume-kubelet --verbose >/dev/null 2>"$OUT/profile.err" || rc=$?
info "$(cat "$OUT/profile.err")"
expect_eq "check --strict of the installed policy with the kubernetes-node profile" 0 "$rc"
check "no lint" sh -c "! grep -Eq '^(warning|error)\[' '$OUT/profile.err'"
rm -f /etc/oompolicy.conf.d/60-kubernetes-node.conf
