#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenario 12, the Ansible role of contrib/ansible run for real with
# ansible-playbook -c local: the first run installs a drop-in (one key of the
# vendor sshd rule and a rule of its own) and reloads the daemon, which gives
# a matching process its value; the second run changes nothing (changed=0);
# a broken drop-in is stopped by validate (oompolicyctl check --as) with its
# FILE:LINE error, and nothing on the machine changes.
# timeout: 900
# duration: 202
. ./lib.sh

wait_until 300 system_settled || :
cp -r "$IN/contrib" /root/contrib
work=/root/cm-ansible
mkdir -p "$work"
dropin=/etc/oompolicy.conf.d/50-ansible.conf

# A process of the role's rule: protected, so qualified by user and exe.
install -m 0755 /bin/sleep /usr/local/bin/oomtest-ansible
/usr/local/bin/oomtest-ansible 3600 &
target=$!

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
# playbook LABEL VARS: runs the role; the output in $OUT/ansible-LABEL.log,
# its status in $rc, the recap's changed= count in $changed.
playbook() {
        local started=$SECONDS
        rc=0
        ansible-playbook -c local -i localhost, "$work/site.yml" -e "@$work/$2" >"$OUT/ansible-$1.log" 2>&1 || rc=$?
        changed=$(sed -n 's/^localhost *:.* changed=\([0-9]*\).*/\1/p' "$OUT/ansible-$1.log")
        info "ansible-playbook ($1): exit $rc, changed=$changed, $((SECONDS - started)) s"
        evidence "ansible-playbook -c local -i localhost, site.yml -e @$2 ($1): exit $rc, $(grep '^localhost *:' "$OUT/ansible-$1.log" | tr -s ' ')"
}

playbook first good.yml
expect_eq "first run: ansible-playbook succeeds" 0 "$rc"
if [ -n "$changed" ] && [ "$changed" -ge 1 ]; then pass "first run reports changed=$changed"; else fail "first run reports changed='$changed'"; fi
check "first run: the handler reloaded the daemon" grep -q 'RUNNING HANDLER \[oompolicyd : Reload oompolicyd\]' "$OUT/ansible-first.log"
check "the drop-in $dropin is installed" grep -q '^\[rule:cmtest\]' "$dropin"
expect_eq "the drop-in is root's, mode 0644" "root root 644" "$(stat -c '%U %G %a' "$dropin")"
check "the daemon runs" systemctl -q is-active oompolicyd.service
check "the rule gave the matching process -300" adj_becomes "$target" -300 60
sshd_line=$(oompolicyctl check 2>/dev/null | grep -A5 '^ *\[rule:sshd\]' | grep 'oom_score_adj')
case "$sshd_line" in
        *"-900"*"50-ansible.conf:"*) pass "the vendor sshd rule's oom_score_adj comes from the drop-in: $(echo "$sshd_line" | tr -s ' ')" ;;
        *) fail "sshd's oom_score_adj is not the drop-in's: '$sshd_line'" ;;
esac

playbook second good.yml
expect_eq "second run: ansible-playbook succeeds" 0 "$rc"
expect_eq "second run reports nothing changed" 0 "$changed"

# The broken drop-in: validate refuses it, nothing changes.
sum_before=$(sha256sum "$dropin")
files_before=$(ls -A /etc/oompolicy.conf.d | tr '\n' ' ')
pid_before=$(main_pid oompolicyd.service)
playbook broken broken.yml
info "ansible's output for the broken drop-in:"
grep -E 'fatal|msg|stderr' "$OUT/ansible-broken.log" | cut -c1-600
if [ "$rc" -ne 0 ]; then pass "broken drop-in: ansible-playbook fails (exit $rc)"; else fail "broken drop-in: ansible-playbook succeeded"; fi
# oompolicyctl check --as names the final path and ansible's temporary copy.
error=$(grep -oE "$dropin \(checking [^)\"]*\):[0-9]+: unknown key 'bogus'[^\"]*" "$OUT/ansible-broken.log" | head -n 1)
if [ -n "$error" ]; then
        pass "validate stopped it with the FILE:LINE error: $error"
        evidence "ansible validate error: $error"
else
        fail "no FILE:LINE error naming 50-ansible.conf and the unknown key in ansible's output"
fi
check "the task that failed is the drop-in's" grep -q 'TASK \[oompolicyd : Install the policy drop-in\]' "$OUT/ansible-broken.log"
expect_eq "the drop-in is unchanged" "$sum_before" "$(sha256sum "$dropin")"
expect_eq "no other file in the drop-in directory (no temporary copy left)" "$files_before" "$(ls -A /etc/oompolicy.conf.d | tr '\n' ' ')"
check "no trace of the broken rule on the machine" sh -c "! grep -rq bogus /etc/oompolicy.conf.d"
expect_eq "the daemon still runs, same process" "$pid_before active" "$(main_pid oompolicyd.service) $(systemctl is-active oompolicyd.service)"
expect_eq "the old policy still holds" -300 "$(adj_of "$target")"

kill "$target" 2>/dev/null || :
wait 2>/dev/null || :
rm -f "$dropin"
