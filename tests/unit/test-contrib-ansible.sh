#!/bin/bash
# SPDX-License-Identifier: MIT
# The Ansible role of contrib/ansible passes ansible-lint (and ansible-lint
# does fail on a role with a known fault, so a pass means something); its
# template renders the same drop-in from a mapping and from a list of rules,
# and oompolicyctl accepts that drop-in on top of the vendor policy. The role
# is run for real in the guest (tests/system/scenarios/12-ansible.sh).
set -euo pipefail

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir}
if ! command -v ansible-lint >/dev/null 2>&1; then
        echo "SKIP: ansible-lint is not installed (Debian package ansible-lint; tools/install-deps installs it)"
        exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# ansible-lint and ansible write caches under HOME; the source tree may be
# read-only (distcheck), so everything runs on a copy.
export HOME=$tmp/home XDG_CACHE_HOME=$tmp/cache ANSIBLE_NOCOLOR=1 NO_COLOR=1 ANSIBLE_LOCAL_TEMP=$tmp/ansible-tmp
mkdir -p "$HOME"
cp -r "$srcdir/contrib/ansible" "$tmp/ansible"

lint() {   # DIR ARGS...: ansible-lint's output; its status in $lint_rc
        local dir=$1
        shift
        lint_rc=0
        lint_out=$(cd "$dir" && ansible-lint --nocolor "$@" 2>&1) || lint_rc=$?
}

lint "$tmp/ansible" roles/oompolicyd playbook.yml
if [ "$lint_rc" -ne 0 ]; then
        echo "FAIL: ansible-lint (exit $lint_rc) on contrib/ansible:"
        echo "$lint_out"
        exit 1
fi
echo "ok: ansible-lint $(ansible-lint --version 2>/dev/null | head -n 1 | grep -o '[0-9][0-9.]*' | head -n 1) passes on the role and the example playbook: $(echo "$lint_out" | tail -n 1)"

# The same role with a task ansible-lint must refuse: a bare command that
# always reports a change, without a name or a fully qualified module.
cp -r "$tmp/ansible" "$tmp/bad"
printf -- '- command: systemctl reload oompolicyd.service\n' >>"$tmp/bad/roles/oompolicyd/tasks/main.yml"
bad_line=$(wc -l <"$tmp/bad/roles/oompolicyd/tasks/main.yml")
lint "$tmp/bad" roles/oompolicyd
if [ "$lint_rc" -eq 0 ]; then
        echo "FAIL: ansible-lint passed a role with a bare command task:"
        echo "$lint_out"
        exit 1
fi
for rule in no-changed-when fqcn; do
        if ! grep -q "$rule.*" <<<"$lint_out" || ! grep -q "tasks/main.yml:$bad_line" <<<"$lint_out"; then
                echo "FAIL: ansible-lint's output does not name $rule at tasks/main.yml:$bad_line:"
                echo "$lint_out"
                exit 1
        fi
done
echo "ok: ansible-lint fails (exit $lint_rc) on the role with a bare command task at tasks/main.yml:$bad_line (no-changed-when, fqcn)"

# The template from both forms of oompolicyd_rules.
cat >"$tmp/render.yml" <<EOF
- name: Render the role's drop-in
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Render
      ansible.builtin.template:
        src: $tmp/ansible/roles/oompolicyd/templates/oompolicy-dropin.conf.j2
        dest: "{{ dest }}"
        mode: "0644"
EOF
cat >"$tmp/mapping.yml" <<'EOF'
oompolicyd_rules:
  sshd:
    oom_score_adj: -900
  compilers:
    name: [cc1, cc1plus, rustc]
    oom_score_adj: 500
oompolicyd_sysctls:
  vm.oom_dump_tasks: 0
oompolicyd_daemon_settings:
  restore_on_exit: true
EOF
cat >"$tmp/list.yml" <<'EOF'
oompolicyd_rules:
  - rule: sshd
    oom_score_adj: -900
  - rule: compilers
    name: [cc1, cc1plus, rustc]
    oom_score_adj: 500
oompolicyd_sysctls:
  vm.oom_dump_tasks: 0
oompolicyd_daemon_settings:
  restore_on_exit: true
EOF
mkdir -p "$tmp/policy/oompolicy.conf.d"
for form in mapping list; do
        if ! out=$(ansible-playbook -c local -i localhost, "$tmp/render.yml" -e "@$tmp/$form.yml" \
                -e "dest=$tmp/$form.conf" 2>&1); then
                echo "FAIL: rendering the template from a $form of rules:"
                echo "$out"
                exit 1
        fi
done
if ! cmp -s "$tmp/mapping.conf" "$tmp/list.conf"; then
        echo "FAIL: a mapping and a list of the same rules render different drop-ins:"
        diff -u "$tmp/mapping.conf" "$tmp/list.conf" || :
        exit 1
fi
for want in '^\[rule:sshd\]$' '^oom_score_adj = -900$' '^name = cc1 cc1plus rustc$' '^\[sysctl\]$' \
        '^vm.oom_dump_tasks = 0$' '^restore_on_exit = yes$'; do
        if ! grep -q "$want" "$tmp/mapping.conf"; then
                echo "FAIL: no line matching $want in the rendered drop-in:"
                cat "$tmp/mapping.conf"
                exit 1
        fi
done
echo "ok: the template renders the same drop-in from a mapping and from a list of rules (lists as globs, booleans as yes)"

# As the tool runs it: the rendered file checked as if installed at its
# final path, on top of the vendor policy. Policy files must be root's, so
# this needs root.
if [ "$(id -u)" -ne 0 ]; then
        echo "skip: checking the rendered drop-in with oompolicyctl check --as needs root (policy files must be root's)"
        exit 77
fi
mkdir -p "$tmp/policy/oompolicy.conf.d"
cp "$srcdir/conf/oompolicy.conf" "$tmp/policy/oompolicy.conf"
dest=$tmp/policy/oompolicy.conf.d/50-ansible.conf
ctl() { "$builddir/src/oompolicyctl" --config "$tmp/policy/oompolicy.conf" "$@"; }
if ! out=$(ctl check --as "$dest" "$tmp/mapping.conf" 2>&1); then
        echo "FAIL: oompolicyctl check --as refuses the rendered drop-in on top of the vendor policy:"
        echo "$out"
        exit 1
fi
if ! grep -Eq 'oom_score_adj += -900 +\(.*/50-ansible.conf \(checking .*\):[0-9]+\)' <<<"$out"; then
        echo "FAIL: the vendor sshd rule's oom_score_adj does not come from the checked drop-in:"
        echo "$out"
        exit 1
fi
echo "ok: oompolicyctl check --as accepts the rendered drop-in on top of the vendor policy (sshd's oom_score_adj from it)"
{ cat "$tmp/mapping.conf"; printf '\n[rule:broken]\nname = oomtest-none\noom_score_adj = 100\nbogus = 1\n'; } >"$tmp/broken.conf"
line=$(grep -n '^bogus' "$tmp/broken.conf" | cut -d: -f1)
rc=0
out=$(ctl check --as "$dest" "$tmp/broken.conf" 2>&1) || rc=$?
if [ "$rc" -ne 1 ] || ! grep -Fq "$dest (checking $tmp/broken.conf):$line: unknown key 'bogus'" <<<"$out"; then
        echo "FAIL: oompolicyctl check --as on a broken drop-in: exit $rc (expected 1), output:"
        echo "$out"
        exit 1
fi
echo "ok: a broken drop-in is refused (exit 1): $(grep -F "unknown key 'bogus'" <<<"$out" | sed "s|$tmp/||g" | cut -c1-100)"
