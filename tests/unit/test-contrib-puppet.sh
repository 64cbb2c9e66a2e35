#!/bin/bash
# SPDX-License-Identifier: MIT
# The Puppet module of contrib/puppet parses (puppet parser validate, puppet
# epp validate; a broken copy does not), and its template renders a drop-in
# oompolicyctl accepts on top of the vendor policy. The module is applied for
# real in the guest (tests/system/scenarios/13-puppet.sh).
set -euo pipefail

. "$(dirname "$0")/contrib-lib.sh"
contrib_require "puppet is not installed (Debian package puppet; the module is applied in the guest by tests/system/scenarios/13-puppet.sh)" \
        command -v puppet
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
contrib_expect_lines "$tmp/dropin.conf" '^\[rule:sshd\]$' '^oom_score_adj = -900$' '^name = cc1 cc1plus rustc$' \
        '^\[sysctl\]$' '^vm.oom_dump_tasks = 0$' '^restore_on_exit = yes$'
echo "ok: the template renders rules, sysctls and daemon settings (arrays as globs, booleans as yes)"

# As the tool runs it (the module's validate_cmd): the rendered file checked
# as if installed at its final path, on top of the vendor policy (needs root).
contrib_check_as puppet "$tmp/dropin.conf"
