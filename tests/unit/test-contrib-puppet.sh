#!/bin/bash
# SPDX-License-Identifier: MIT
# The Puppet module of contrib/puppet parses (puppet parser validate, puppet
# epp validate; a broken copy does not), and its template renders a drop-in
# oompolicyctl accepts on top of the vendor policy. The module is applied for
# real in the guest (tests/system/scenarios/13-puppet.sh).
set -euo pipefail

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir}
if ! command -v puppet >/dev/null 2>&1; then
        echo "SKIP: puppet is not installed (Debian package puppet; the module is applied in the guest by tests/system/scenarios/13-puppet.sh)"
        exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp/home
mkdir -p "$HOME"
cp -r "$srcdir/contrib/puppet" "$tmp/modules"
mod=$tmp/modules/oompolicyd
dirs=(--confdir "$tmp/conf" --vardir "$tmp/var" --codedir "$tmp/code" --logdir "$tmp/log" --rundir "$tmp/run")

if ! out=$(puppet parser validate "${dirs[@]}" --color=false "$mod/manifests/init.pp" "$mod/functions/value.pp" \
        "$mod/examples/init.pp" 2>&1); then
        echo "FAIL: puppet parser validate: $out"
        exit 1
fi
if ! out=$(puppet epp validate "${dirs[@]}" --color=false "$mod/templates/dropin.conf.epp" 2>&1); then
        echo "FAIL: puppet epp validate: $out"
        exit 1
fi
echo "ok: puppet $(puppet --version) parser validate and epp validate pass on the module"

sed 's/validate_cmd =>/validate_cmd =/' "$mod/manifests/init.pp" >"$tmp/broken.pp"
if out=$(puppet parser validate "${dirs[@]}" --color=false "$tmp/broken.pp" 2>&1); then
        echo "FAIL: puppet parser validate passed a manifest with a syntax error"
        exit 1
fi
echo "ok: puppet parser validate fails on a copy with a syntax error: $(echo "$out" | head -n 1)"

# Facter complains where it cannot read everything (a container); the
# template needs no facts, so its output on stderr is ignored.
values="{rules => {sshd => {oom_score_adj => -900}, compilers => {name => [cc1, cc1plus, rustc], oom_score_adj => 500}},
        sysctls => {'vm.oom_dump_tasks' => 0}, daemon_settings => {restore_on_exit => true}}"
if ! puppet epp render "${dirs[@]}" --color=false --modulepath "$tmp/modules" --values "$values" \
        oompolicyd/dropin.conf.epp >"$tmp/dropin.conf" 2>"$tmp/render.err"; then
        echo "FAIL: puppet epp render: $(cat "$tmp/render.err")"
        exit 1
fi
for want in '^\[rule:sshd\]$' '^oom_score_adj = -900$' '^name = cc1 cc1plus rustc$' '^\[sysctl\]$' \
        '^vm.oom_dump_tasks = 0$' '^restore_on_exit = yes$'; do
        if ! grep -q "$want" "$tmp/dropin.conf"; then
                echo "FAIL: no line matching $want in the rendered drop-in:"
                cat "$tmp/dropin.conf"
                exit 1
        fi
done
echo "ok: the template renders rules, sysctls and daemon settings (arrays as globs, booleans as yes)"

# As the tool runs it: the rendered file checked as if installed at its
# final path, on top of the vendor policy. Policy files must be root's, so
# this needs root.
if [ "$(id -u)" -ne 0 ]; then
        echo "skip: checking the rendered drop-in with oompolicyctl check --as needs root (policy files must be root's)"
        exit 77
fi
mkdir -p "$tmp/policy/oompolicy.conf.d"
cp "$srcdir/conf/oompolicy.conf" "$tmp/policy/oompolicy.conf"
dest=$tmp/policy/oompolicy.conf.d/50-puppet.conf
ctl() { "$builddir/src/oompolicyctl" --config "$tmp/policy/oompolicy.conf" "$@"; }
if ! out=$(ctl check --as "$dest" "$tmp/dropin.conf" 2>&1); then
        echo "FAIL: oompolicyctl check --as refuses the rendered drop-in on top of the vendor policy:"
        echo "$out"
        exit 1
fi
if ! grep -Eq 'oom_score_adj += -900 +\(.*/50-puppet.conf \(checking .*\):[0-9]+\)' <<<"$out"; then
        echo "FAIL: the vendor sshd rule's oom_score_adj does not come from the checked drop-in:"
        echo "$out"
        exit 1
fi
echo "ok: oompolicyctl check --as accepts the rendered drop-in on top of the vendor policy (sshd's oom_score_adj from it)"
{ cat "$tmp/dropin.conf"; printf '\n[rule:broken]\nname = oomtest-none\noom_score_adj = 100\nbogus = 1\n'; } >"$tmp/broken.conf"
line=$(grep -n '^bogus' "$tmp/broken.conf" | cut -d: -f1)
rc=0
out=$(ctl check --as "$dest" "$tmp/broken.conf" 2>&1) || rc=$?
if [ "$rc" -ne 1 ] || ! grep -Fq "$dest (checking $tmp/broken.conf):$line: unknown key 'bogus'" <<<"$out"; then
        echo "FAIL: oompolicyctl check --as on a broken drop-in: exit $rc (expected 1), output:"
        echo "$out"
        exit 1
fi
echo "ok: a broken drop-in is refused (exit 1): $(grep -F "unknown key 'bogus'" <<<"$out" | sed "s|$tmp/||g" | cut -c1-100)"
