#!/bin/bash
# SPDX-License-Identifier: MIT
# The Ansible role of contrib/ansible passes ansible-lint (and ansible-lint
# does fail on a role with a known fault, so a pass means something); its
# template renders the same drop-in from a mapping and from a list of rules,
# and oompolicyctl accepts that drop-in on top of the vendor policy. The role
# is run for real in the guest (tests/system/scenarios/12-ansible.sh).
set -euo pipefail

. "$(dirname "$0")/contrib-lib.sh"
contrib_require "ansible-lint is not installed (Debian package ansible-lint; tools/install-deps installs it)" \
        command -v ansible-lint

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
EOF
cat >"$tmp/list.yml" <<'EOF'
oompolicyd_rules:
  - rule: sshd
    oom_score_adj: -900
  - rule: compilers
    name: [cc1, cc1plus, rustc]
    oom_score_adj: 500
EOF
cat >"$tmp/other.yml" <<'EOF'
oompolicyd_sysctls:
  vm.oom_dump_tasks: 0
oompolicyd_daemon_settings:
  restore_on_exit: true
EOF
for form in mapping list; do
        if ! out=$(ansible-playbook -c local -i localhost, "$tmp/render.yml" -e "@$tmp/$form.yml" -e "@$tmp/other.yml" \
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
contrib_expect_lines "$tmp/mapping.conf" '^\[rule:sshd\]$' '^oom_score_adj = -900$' '^name = cc1 cc1plus rustc$' \
        '^\[sysctl\]$' '^vm.oom_dump_tasks = 0$' '^restore_on_exit = yes$'
echo "ok: the template renders the same drop-in from a mapping and from a list of rules (lists as globs, booleans as yes)"

# As the tool runs it (the role's validate): the rendered file checked as if
# installed at its final path, on top of the vendor policy (needs root).
contrib_check_as ansible "$tmp/mapping.conf"
