#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenario 10, the ssh example of OOMPolicy=: a session that is not moved into
# a scope of its own (no libpam-systemd; here a hog moved into ssh.service's
# cgroup) shares the unit with sshd. A memory cgroup OOM inside ssh.service
# kills the hog, as the policy wants, and then systemd's default
# OOMPolicy=stop stops ssh.service: the listener dies although it holds -1000.
# `oompolicyctl check` warns about it (lint unit-oom-policy; --strict fails);
# with the fix it
# suggests (a drop-in with OOMPolicy=continue) the same OOM leaves sshd alone.
# Last, the installed policy with the Kubernetes node profile has no lint.
# timeout: 900
# duration: 77
. ./lib.sh

wait_until 300 system_settled || :
setup_ssh_user alice
install -m 0755 "$IN/bin/oomtest-memhog" /usr/local/bin/oomtest-sshhog
cg=$(unit_prop ssh.service ControlGroup)
cgroup=/sys/fs/cgroup$cg
check "ssh.service has a cgroup v2 directory ($cgroup)" test -f "$cgroup/cgroup.procs"
expect_eq "ssh.service's OOMPolicy (systemd's default)" stop "$(unit_prop ssh.service OOMPolicy)"

# A memory limit on ssh.service for this boot only, so that the OOM stays
# inside it: what sshd uses now plus 48 MiB.
current=$(cat "$cgroup/memory.current")
limit=$((current + 48 * 1024 * 1024))
check "systemctl set-property --runtime ssh.service MemoryMax=$limit" systemctl set-property --runtime ssh.service MemoryMax="$limit"
expect_eq "memory.max of ssh.service" "$limit" "$(cat "$cgroup/memory.max")"

# start_session_hog: a shell that moves itself into ssh.service's cgroup (as a
# login shell would be without pam_systemd), waits for /run/oomtest-go, then
# becomes the hog; so every page the hog touches is charged to ssh.service.
start_session_hog() {
        rm -f /run/oomtest-go
        sh -c 'echo $$ >"$1/cgroup.procs" || exit 1
                while [ ! -e /run/oomtest-go ]; do sleep 0.2; done
                exec /usr/local/bin/oomtest-sshhog 400 5' _ "$cgroup" &
        session=$!
        wait_until 30 grep -qx "$session" "$cgroup/cgroup.procs"
}
# hog_oom LABEL: lets the hog grow and waits for the kernel to kill it.
hog_oom() {
        local label=$1 klog status
        since=$(date '+%Y-%m-%d %H:%M:%S')
        touch /run/oomtest-go
        check "$label: the hog (pid $session) is killed" wait_until 180 gone "$session"
        wait "$session" 2>/dev/null
        status=$?
        expect_eq "$label: the hog's status (SIGKILL)" 137 "$status"
        # The cgroup may be gone by now (OOMPolicy=stop): the kernel log says
        # which OOM it was.
        wait_until 30 sh -c 'journalctl -k --since "$1" --no-pager -o cat | grep -q "Killed process $2 "' _ "$since" "$session" || :
        klog=$(journalctl -k --since "$since" --no-pager -o cat)
        case "$klog" in
                *"oom_memcg=$cg,"*"Killed process $session (oomtest-sshhog)"*)
                        pass "$label: a memory cgroup OOM in ssh.service killed the hog: $(echo "$klog" | grep -m1 "Killed process $session")" ;;
                *) fail "$label: no memory cgroup OOM of ssh.service killing $session in the kernel log: $(echo "$klog" | grep -E 'oom-kill:|Killed process' | tr '\n' ' ')" ;;
        esac
}

# lint_ids: the ids of check's lints, from --json.
lint_ids() {
        oompolicyctl check --json 2>/dev/null | python3 -c 'import json, sys
print(" ".join(l["id"] for l in json.load(sys.stdin).get("lints", [])))'
}
lint_quiet() { case " $(lint_ids) " in *" unit-oom-policy "*) return 1 ;; esac; }

sshd=$(main_pid ssh.service)
expect_eq "the sshd listener (pid $sshd) holds -1000" -1000 "$(adj_of "$sshd")"
check "check: no unit-oom-policy lint while sshd is alone in ssh.service" lint_quiet

# 1. The trap: OOMPolicy=stop.
start_session_hog || fail "the hog could not join ssh.service's cgroup"
info "ssh.service's cgroup: $(tr '\n' ' ' <"$cgroup/cgroup.procs")"
expect_eq "the hog's shell in ssh.service holds the default" 0 "$(adj_of "$session")"
out=$(oompolicyctl check 2>&1)
lint=$(echo "$out" | grep -A3 'unit-oom-policy')
info "check: $lint"
case "$lint" in
        *"warning[unit-oom-policy]"*ssh.service*) pass "check warns: $(echo "$lint" | head -n 1)" ;;
        *) fail "check does not warn about ssh.service (unit-oom-policy): $out" ;;
esac
evidence "oompolicyctl check on the ssh example: $(echo "$lint" | tr '\n' ' ')"
case " $(lint_ids) " in
        *" unit-oom-policy "*) pass "check --json lists the lint unit-oom-policy" ;;
        *) fail "check --json lints: '$(lint_ids)'" ;;
esac
rc=0
oompolicyctl check --strict >/dev/null 2>&1 || rc=$?
expect_eq "check --strict fails on it" 1 "$rc"
restarts=$(unit_prop ssh.service NRestarts)
hog_oom "OOMPolicy=stop"
check "OOMPolicy=stop: systemd acted on the OOM kill (Result=oom-kill)" wait_until 60 sh -c \
        '[ "$(systemctl show -P Result ssh.service)" = oom-kill ] || journalctl -b -u ssh.service --no-pager -o cat | grep -q "oom-kill"'
check "OOMPolicy=stop: the sshd listener (pid $sshd, oom_score_adj -1000) is gone" wait_until 60 sh -c '! kill -0 "$1" 2>/dev/null' _ "$sshd"
journalctl -b -u ssh.service --no-pager -o cat | tail -n 6 | while read -r l; do info "ssh.service: $l"; done
evidence "OOMPolicy=stop: $(journalctl -b -u ssh.service --no-pager -o cat | grep -E 'OOM killer|oom-kill' | head -n 2 | tr '\n' ' ')"
# Debian's ssh.service restarts on failure: the listener comes back with a new
# PID (sessions of a real login would have been cut meanwhile).
info "after the stop: ssh.service $(systemctl is-active ssh.service), NRestarts $(unit_prop ssh.service NRestarts) (was $restarts), MainPID $(main_pid ssh.service)"
wait_until 120 systemctl -q is-active ssh.service || systemctl start ssh.service
check "ssh.service runs again for the next part" wait_until 60 systemctl -q is-active ssh.service

# 2. The fix: OOMPolicy=continue in a drop-in.
mkdir -p /etc/systemd/system/ssh.service.d
printf '[Service]\nOOMPolicy=continue\n' >/etc/systemd/system/ssh.service.d/50-oompolicy.conf
systemctl daemon-reload
expect_eq "ssh.service's OOMPolicy with the drop-in" continue "$(unit_prop ssh.service OOMPolicy)"
expect_eq "the runtime memory.max is still in force" "$limit" "$(cat "$cgroup/memory.max")"
sshd=$(main_pid ssh.service)
wait_until 60 sh -c '[ "$(cat /proc/$1/oom_score_adj)" = -1000 ]' _ "$sshd" || :
expect_eq "the sshd listener (pid $sshd) holds -1000" -1000 "$(adj_of "$sshd")"
start_session_hog || fail "the hog could not join ssh.service's cgroup"
check "check: the lint is quiet with OOMPolicy=continue (the hog still in ssh.service)" lint_quiet
hog_oom "OOMPolicy=continue"
check "OOMPolicy=continue: ssh.service is still active" systemctl -q is-active ssh.service
expect_eq "OOMPolicy=continue: the listener is the same process" "$sshd" "$(main_pid ssh.service)"
check "OOMPolicy=continue: the listener (pid $sshd) lives" kill -0 "$sshd"
out=$(ssh_as alice 'echo still-answering' 2>&1)
expect_eq "OOMPolicy=continue: sshd still answers a login" still-answering "$out"
evidence "OOMPolicy=continue: the hog was killed, ssh.service active, listener pid $sshd kept, a new login works"

rm -rf /etc/systemd/system/ssh.service.d /run/oomtest-go
systemctl set-property --runtime ssh.service MemoryMax=infinity
systemctl daemon-reload

# The installed policy with the Kubernetes node profile linked in: no lint of any
# kind on this machine, even as if a kubelet ran (--strict).
ln -sf /usr/lib/oompolicy/profiles/kubernetes-node.conf /etc/oompolicy.conf.d/60-kubernetes-node.conf
rc=0
oompolicyctl check --strict --assume-kubelet --verbose >/dev/null 2>"$OUT/profile.err" || rc=$?
info "$(cat "$OUT/profile.err")"
expect_eq "check --strict --assume-kubelet of the installed policy with the kubernetes-node profile" 0 "$rc"
check "no lint with the profile" sh -c "! grep -Eq '^(warning|error)\[' '$OUT/profile.err'"
rm -f /etc/oompolicy.conf.d/60-kubernetes-node.conf
