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

wait_until 300 system_settled || :
cp -r "$IN/contrib" /root/contrib
work=/root/cm-puppet
mkdir -p "$work"
dropin=/etc/oompolicy.conf.d/50-puppet.conf

install -m 0755 /bin/sleep /usr/local/bin/oomtest-puppet
/usr/local/bin/oomtest-puppet 3600 &
target=$!

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
check "the drop-in $dropin is installed" grep -q '^\[rule:cmtest\]' "$dropin"
expect_eq "the drop-in is root's, mode 0644" "root root 644" "$(stat -c '%U %G %a' "$dropin")"
check "the daemon runs" systemctl -q is-active oompolicyd.service
check "the rule gave the matching process -250" adj_becomes "$target" -250 60

apply second good.pp
expect_eq "second run: puppet apply --detailed-exitcodes exits 0 (no changes)" 0 "$rc"

sum_before=$(sha256sum "$dropin")
files_before=$(ls -A /etc/oompolicy.conf.d | tr '\n' ' ')
pid_before=$(main_pid oompolicyd.service)
apply broken broken.pp
info "puppet's output for the broken drop-in:"
grep -E 'Error|Warning' "$OUT/puppet-broken.log" | cut -c1-600
case "$rc" in
        4|6) pass "broken drop-in: puppet apply --detailed-exitcodes exits $rc (failures)" ;;
        *) fail "broken drop-in: puppet apply exits $rc, not 4 or 6" ;;
esac
# oompolicyctl check --as names the final path and puppet's temporary copy.
error=$(grep -oE "$dropin \(checking [^)]*\):[0-9]+: unknown key 'bogus'.*" "$OUT/puppet-broken.log" | head -n 1)
if [ -n "$error" ]; then
        pass "validate_cmd refused it with the FILE:LINE error: $error"
        evidence "puppet validate_cmd error: $error"
else
        fail "no FILE:LINE error naming 50-puppet.conf and the unknown key in puppet's output"
fi
expect_eq "the drop-in is unchanged" "$sum_before" "$(sha256sum "$dropin")"
expect_eq "no other file in the drop-in directory (no temporary copy left)" "$files_before" "$(ls -A /etc/oompolicy.conf.d | tr '\n' ' ')"
check "no trace of the broken rule on the machine" sh -c "! grep -rq bogus /etc/oompolicy.conf.d"
expect_eq "the daemon still runs, same process" "$pid_before active" "$(main_pid oompolicyd.service) $(systemctl is-active oompolicyd.service)"
expect_eq "the old policy still holds" -250 "$(adj_of "$target")"

kill "$target" 2>/dev/null || :
wait 2>/dev/null || :
rm -f "$dropin"
