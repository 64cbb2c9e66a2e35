#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenario 12, the Ansible role of contrib/ansible run for real with
# ansible-playbook -c local: the first run installs a drop-in (one key of the
# vendor sshd rule and a rule of its own) and reloads the daemon, which gives
# a matching process its value; the second run changes nothing (changed=0);
# a broken drop-in is stopped by validate (oompolicyctl check --as) with its
# FILE:LINE error, and nothing on the machine changes. Then the role's
# one-shot mode (oompolicyctl apply --detailed-exitcodes, no daemon): the
# first run changes the process (the apply task "changed"), the second
# reports changed=0, and an apply the kernel refuses (EACCES, the run without
# CAP_SYS_RESOURCE) fails the play.
# timeout: 900
# duration: 226
. ./lib.sh

cm_setup ansible

cat >"$work/site.yml" <<'EOF'
- name: OOM policy
  hosts: localhost
  gather_facts: false
  roles:
    - role: oompolicyd
EOF
cat >"$work/good.yml" <<EOF
oompolicyd_package_deb: $IN/oompolicyd.deb
oompolicyd_rules:
  sshd:
    oom_score_adj: -900
  cmtest:
    exe: /usr/local/bin/oomtest-ansible
    user: root
    oom_score_adj: -300
EOF
{ cat "$work/good.yml"; printf '  broken:\n    name: oomtest-none\n    oom_score_adj: 100\n    bogus: 1\n'; } >"$work/broken.yml"

export ANSIBLE_ROLES_PATH=/root/contrib/ansible/roles ANSIBLE_NOCOLOR=1 ANSIBLE_PIPELINING=1 \
        ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 ANSIBLE_RETRY_FILES_ENABLED=0
# playbook LABEL VARS [WRAPPER...]: runs the role (under WRAPPER when
# given); the output in $OUT/ansible-LABEL.log, its status in $rc, the
# recap's changed= count in $changed.
playbook() {
        local started=$SECONDS label=$1 vars=$2
        shift 2
        rc=0
        "$@" ansible-playbook -c local -i localhost, "$work/site.yml" -e "@$work/$vars" >"$OUT/ansible-$label.log" 2>&1 || rc=$?
        changed=$(sed -n 's/^localhost *:.* changed=\([0-9]*\).*/\1/p' "$OUT/ansible-$label.log")
        info "ansible-playbook ($label): exit $rc, changed=$changed, $((SECONDS - started)) s"
        evidence "${*:+$* }ansible-playbook -c local -i localhost, site.yml -e @$vars ($label): exit $rc, $(grep '^localhost *:' "$OUT/ansible-$label.log" | tr -s ' ')"
}

# task_status LABEL TASK: what the run LABEL said of the role's task TASK
# (ok, changed, fatal, skipping).
task_status() {
        awk -v t="TASK [oompolicyd : $2]" 'index($0, t) == 1 { f = 1; next }
                f && /^(ok|changed|fatal|skipping):/ { sub(/:.*/, ""); print; exit }' "$OUT/ansible-$1.log"
}

playbook first good.yml
expect_eq "first run: ansible-playbook succeeds" 0 "$rc"
if [ -n "$changed" ] && [ "$changed" -ge 1 ]; then pass "first run reports changed=$changed"; else fail "first run reports changed='$changed'"; fi
check "first run: the handler reloaded the daemon" grep -q 'RUNNING HANDLER \[oompolicyd : Reload oompolicyd\]' "$OUT/ansible-first.log"
cm_installed -300
sshd_line=$(oompolicyctl check 2>/dev/null | grep -A5 '^ *\[rule:sshd\]' | grep 'oom_score_adj')
case "$sshd_line" in
        *"-900"*"50-ansible.conf:"*) pass "the vendor sshd rule's oom_score_adj comes from the drop-in: $(echo "$sshd_line" | tr -s ' ')" ;;
        *) fail "sshd's oom_score_adj is not the drop-in's: '$sshd_line'" ;;
esac

playbook second good.yml
expect_eq "second run: ansible-playbook succeeds" 0 "$rc"
expect_eq "second run reports nothing changed" 0 "$changed"

# The broken drop-in: validate refuses it, nothing changes.
cm_snapshot
playbook broken broken.yml
info "ansible's output for the broken drop-in:"
grep -E 'fatal|msg|stderr' "$OUT/ansible-broken.log" | cut -c1-600
if [ "$rc" -ne 0 ]; then pass "broken drop-in: ansible-playbook fails (exit $rc)"; else fail "broken drop-in: ansible-playbook succeeded"; fi
# oompolicyctl check --as names the final path and ansible's temporary copy.
expect_eq "the task that failed is the drop-in's" fatal "$(task_status broken 'Install the policy drop-in')"
cm_refused "$OUT/ansible-broken.log" "ansible validate" -300

# One-shot mode: the daemon stopped and disabled, the policy applied by
# oompolicyctl apply --detailed-exitcodes in the run, "changed" only when it
# changed something (exit 3). The rule's value moves to -600: only the apply
# can give it (the daemon is not reloaded in this mode, and is stopped).
{ sed 's/oom_score_adj: -300$/oom_score_adj: -600/' "$work/good.yml"; echo 'oompolicyd_mode: oneshot'; } >"$work/oneshot.yml"
apply_task='Apply the policy once (one-shot mode)'
playbook oneshot-first oneshot.yml
expect_eq "one-shot, first run: ansible-playbook succeeds" 0 "$rc"
expect_eq "one-shot, first run: the apply task reports changed (apply exit 3)" changed "$(task_status oneshot-first "$apply_task")"
expect_eq "one-shot: the daemon is stopped and disabled" "inactive disabled" \
        "$(systemctl is-active oompolicyd.service) $(systemctl is-enabled oompolicyd.service)"
expect_eq "one-shot, first run: the apply gave the matching process -600 (lowered: full caps)" -600 "$(adj_of "$target")"

playbook oneshot-second oneshot.yml
expect_eq "one-shot, second run: ansible-playbook succeeds" 0 "$rc"
expect_eq "one-shot, second run reports nothing changed" 0 "$changed"
expect_eq "one-shot, second run: the apply task reports ok (apply exit 0)" ok "$(task_status oneshot-second "$apply_task")"

# A failing apply fails the play: a new process of the rule, and the run
# without CAP_SYS_RESOURCE (as in a container that lacks it), so the kernel
# refuses to lower its value (EACCES) and apply exits 1.
if command -v setpriv >/dev/null; then
        /usr/local/bin/oomtest-ansible 3600 &
        newcomer=$!
        playbook oneshot-nocap oneshot.yml setpriv --inh-caps=-sys_resource --ambient-caps=-sys_resource \
                --bounding-set=-sys_resource
        info "ansible's output for the failing apply:"
        grep -E '^fatal' "$OUT/ansible-oneshot-nocap.log" | cut -c1-600
        if [ "$rc" -ne 0 ]; then pass "one-shot, failing apply: ansible-playbook fails (exit $rc)"; else fail "one-shot, failing apply: ansible-playbook succeeded"; fi
        expect_eq "one-shot, failing apply: the task that failed is the apply" fatal "$(task_status oneshot-nocap "$apply_task")"
        check "one-shot, failing apply: the output names the process and the kernel's refusal" \
                grep -q "$newcomer oomtest-ansible.*Permission denied" "$OUT/ansible-oneshot-nocap.log"
        expect_eq "one-shot, failing apply: the kernel refused, the new process keeps its value" 0 "$(adj_of "$newcomer")"
        expect_eq "one-shot, failing apply: the other process keeps -600" -600 "$(adj_of "$target")"
        kill "$newcomer" 2>/dev/null || :
else
        skip "one-shot, failing apply: no setpriv (util-linux) in the guest to drop CAP_SYS_RESOURCE"
fi
cm_cleanup
