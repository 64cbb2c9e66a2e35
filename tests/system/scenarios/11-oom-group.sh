#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenario 11, memory.oom.group in a cgroup v2: a cgroup with a memory limit and
# memory.oom.group = 1 holds a hog and four other members, one of them at
# -1000 by the policy. `oompolicyctl simulate --cgroup` predicts that the whole
# group dies; the kernel then kills every member but the immune one.
# timeout: 900
# duration: 61
. ./lib.sh

wait_until 300 system_settled || :
check "the guest runs cgroup v2" test -f /sys/fs/cgroup/cgroup.controllers
install -m 0755 "$IN/bin/oomtest-memhog" /usr/local/bin/oomtest-grouphog
install -m 0755 "$IN/bin/oomtest-memhog" /usr/local/bin/oomtest-memhog
install -m 0755 /bin/sleep /usr/local/bin/oomtest-member
install -m 0755 /bin/sleep /usr/local/bin/oomtest-immune
mkdir -p /etc/oompolicy.conf.d
printf '[rule:immune]\nexe = /usr/local/bin/oomtest-immune\nuser = root\noom_score_adj = -1000\n' \
        >/etc/oompolicy.conf.d/60-immune.conf
check "systemctl reload with the immune rule" systemctl reload oompolicyd.service

# A cgroup of its own below the root, outside systemd's units: systemd stops
# a scope or service whose process the kernel killed (OOMPolicy=, not
# configurable for scopes in systemd 252), which would end the immune member
# too. Its first process starts the members and a holder of 24 MiB, then
# waits for /run/oomtest-go and becomes a hog that grows past the limit.
cg=/oomtest-group
dir=/sys/fs/cgroup$cg
mkdir "$dir"
check "memory.max = 48M on $cg" sh -c 'echo 48M >"$1/memory.max"' _ "$dir"
check "memory.oom.group = 1 on $cg" sh -c 'echo 1 >"$1/memory.oom.group"' _ "$dir"
rm -f /run/oomtest-go /run/oomtest-holder.ready
sh -c 'echo $$ >"$1/cgroup.procs" || exit 1
        /usr/local/bin/oomtest-member 600 & /usr/local/bin/oomtest-member 600 &
        /usr/local/bin/oomtest-immune 600 &
        /usr/local/bin/oomtest-grouphog 24 0 /run/oomtest-holder.ready &
        while [ ! -e /run/oomtest-go ]; do sleep 0.2; done
        exec /usr/local/bin/oomtest-memhog 400 5' _ "$dir" &
runner=$!
check "both members started" wait_until 60 sh -c '[ "$(find /proc -mindepth 2 -maxdepth 2 -name exe -lname /usr/local/bin/oomtest-member 2>/dev/null | wc -l)" = 2 ]'
check "the immune member started" wait_until 60 sh -c 'find /proc -mindepth 2 -maxdepth 2 -name exe -lname /usr/local/bin/oomtest-immune 2>/dev/null | grep -q .'
check "the holder has its 24 MiB" wait_until 60 test -e /run/oomtest-holder.ready
immune=$(pids_by_exe /usr/local/bin/oomtest-immune)
holder=$(pids_by_exe /usr/local/bin/oomtest-grouphog)
member_pids="$(pids_by_exe /usr/local/bin/oomtest-member | tr '\n' ' ')$holder"
check "the policy made the immune member (pid $immune) -1000" adj_becomes "$immune" -1000 60
info "$cg: $(tr '\n' ' ' <"$dir/cgroup.procs"), memory.max $(cat "$dir/memory.max"), memory.oom.group $(cat "$dir/memory.oom.group")"

# The prediction, before the OOM.
sim=$(oompolicyctl simulate --all --cgroup "$cg" 2>&1)
info "simulate: $sim"
case "$sim" in
        *"Group kill: memory.oom.group is set on $cg"*) pass "simulate predicts the group kill: $(echo "$sim" | grep '^Group kill')" ;;
        *) fail "simulate --cgroup $cg does not predict the group kill" ;;
esac
evidence "simulate --cgroup $cg: $(echo "$sim" | grep '^Group kill')"
# The victim's group_kill in --json: every member but the immune one.
group=$(oompolicyctl simulate --json --all --cgroup "$cg" 2>/dev/null | python3 -c 'import json, sys
v = json.load(sys.stdin)[0]
g = v.get("group_kill") or {}
print(g.get("cgroup", ""), " ".join(str(p) for p in g.get("pids", [])))')
info "simulate --json: group_kill of the victim: $group"
expect_eq "simulate --json: group_kill.cgroup of the victim" "$cg" "${group%% *}"
predicted=" ${group#* } "
missing=
for p in $member_pids $runner; do
        case "$predicted" in *" $p "*) ;; *) missing="$missing $p" ;; esac
done
expect_eq "simulate --json: group_kill.pids holds the hog's shell, the holder and both members" "" "$missing"
case "$predicted" in
        *" $immune "*) fail "simulate --json: group_kill.pids holds the immune member $immune" ;;
        *) pass "simulate --json: group_kill.pids leaves out the immune member $immune" ;;
esac

since=$(date '+%Y-%m-%d %H:%M:%S')
touch /run/oomtest-go
all_members_gone() {
        local p
        for p in $member_pids $runner; do ! alive "$p" || return 1; done
}
check "the kernel killed the hog, the holder and both members" wait_until 180 all_members_gone
check "the immune member (pid $immune) lives" alive "$immune"
check "memory.events counts the group's kills" sh -c '[ "$(awk "\$1 == \"oom_group_kill\" { print \$2 }" "$1/memory.events")" -ge 1 ]' _ "$dir"
klog=$(journalctl -k --since "$since" --no-pager -o cat)
echo "$klog" | grep -E 'oom|Killed process|memory.oom.group' | head -n 20 | while read -r l; do info "kernel: $l"; done
case "$klog" in
        *"are going to be killed due to memory.oom.group set"*) pass "the kernel log says the group is killed because memory.oom.group is set" ;;
        *) fail "no 'memory.oom.group' line in the kernel log" ;;
esac
for p in $member_pids; do
        if echo "$klog" | grep -q "Killed process $p (oomtest-"; then
                pass "the kernel log shows the kill of member $p"
        else
                fail "no kernel kill line for member $p"
        fi
done
check "the kernel log has no kill of the immune member" sh -c '! echo "$1" | grep -q "Killed process $2 "' _ "$klog" "$immune"
evidence "memory.oom.group: $(echo "$klog" | grep -E 'memory.oom.group|Killed process' | head -n 4 | tr '\n' ' ')"

kill "$immune" 2>/dev/null || :
wait "$runner" 2>/dev/null
wait_until 30 sh -c '[ ! -s "$1/cgroup.procs" ]' _ "$dir" && rmdir "$dir"
rm -f /etc/oompolicy.conf.d/60-immune.conf /run/oomtest-go /run/oomtest-holder.ready
systemctl reload oompolicyd.service
