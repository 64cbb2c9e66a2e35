#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenario 13, the Puppet module of contrib/puppet run for real with puppet
# apply --detailed-exitcodes: the first run installs a drop-in and reloads the
# daemon (exit 2: changes), which gives a matching process its value; the
# second run changes nothing (exit 0); a broken drop-in is refused by
# validate_cmd (oompolicyctl check --as) with its FILE:LINE error, and nothing
# on the machine changes.
# timeout: 900
# duration: 208
. ./lib.sh

cm_setup puppet

# manifest FILE [EXTRA RULE]: the class with the test's rules.
manifest() {
        cat >"$1" <<EOF
class { 'oompolicyd':
  package_source => '$IN/oompolicyd.deb',
  rules          => {
    'sshd'   => { 'oom_score_adj' => -900 },
    'cmtest' => { 'exe' => '/usr/local/bin/oomtest-puppet', 'user' => 'root', 'oom_score_adj' => -250 },
    $2
  },
}
EOF
}
manifest "$work/good.pp" ''
manifest "$work/broken.pp" "'broken' => { 'name' => 'oomtest-none', 'oom_score_adj' => 100, 'bogus' => 1 },"

# apply LABEL MANIFEST: the output in $OUT/puppet-LABEL.log, the status in $rc.
apply() {
        local started=$SECONDS
        rc=0
        puppet apply --detailed-exitcodes --color=false --modulepath=/root/contrib/puppet "$work/$2" \
                >"$OUT/puppet-$1.log" 2>&1 || rc=$?
        info "puppet apply ($1): exit $rc, $((SECONDS - started)) s"
        evidence "puppet apply --detailed-exitcodes --modulepath=contrib/puppet $2 ($1): exit $rc"
}

apply first good.pp
expect_eq "first run: puppet apply --detailed-exitcodes exits 2 (changes, no failures)" 2 "$rc"
check "first run: the drop-in's content was written" grep -q "File\[$dropin\]/ensure: defined content as" "$OUT/puppet-first.log"
check "first run: the service was refreshed (reloaded)" grep -q 'Service\[oompolicyd\]: Triggered .refresh' "$OUT/puppet-first.log"
cm_installed -250

apply second good.pp
expect_eq "second run: puppet apply --detailed-exitcodes exits 0 (no changes)" 0 "$rc"

cm_snapshot
apply broken broken.pp
info "puppet's output for the broken drop-in:"
grep -E 'Error|Warning' "$OUT/puppet-broken.log" | cut -c1-600
case "$rc" in
        4|6) pass "broken drop-in: puppet apply --detailed-exitcodes exits $rc (failures)" ;;
        *) fail "broken drop-in: puppet apply exits $rc, not 4 or 6" ;;
esac
# oompolicyctl check --as names the final path and puppet's temporary copy.
cm_refused "$OUT/puppet-broken.log" "puppet validate_cmd" -250
cm_cleanup
