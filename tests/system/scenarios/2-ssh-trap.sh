#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenario 2, the sshd-session trap: a login shell and what it starts hold the
# default value (children = reset), the sshd processes keep theirs, and an
# unprivileged user who copies sshd, renames a process "sshd" or sets argv[0]
# to sshd gets nothing.
# timeout: 600
# duration: 91
. ./lib.sh

wait_until 300 system_settled || :
setup_ssh_user alice
install -m 0755 "$IN/bin/oomtest-rename" /usr/local/bin/oomtest-rename

# The login shell, and a process the shell starts, report their own values.
out=$(ssh_as alice 'echo "shell $$ $(cat /proc/$$/oom_score_adj)"; sleep 2 & echo "child $! $(cat /proc/$!/oom_score_adj)"; wait')
info "$out"
shell_adj=$(echo "$out" | awk '$1 == "shell" { print $3 }')
child_adj=$(echo "$out" | awk '$1 == "child" { print $3 }')
expect_eq "alice's login shell holds the default, not sshd's -1000" 0 "$shell_adj"
expect_eq "a process her shell starts holds the default" 0 "$child_adj"

# The same from a live session, read from outside (the daemon may reset the
# value just after the shell reads its own).
client=$(ssh_session_bg alice 'exec -a alice-waits sleep 600')
wait_until 120 pgrep -u alice -f alice-waits >/dev/null || fail "alice's session did not start"
sleeper=$(pgrep -u alice -f alice-waits | head -n 1)
check "alice's session process (pid $sleeper) holds 0" adj_becomes "$sleeper" 0 30
expect_eq "the sshd listener still holds -1000" -1000 "$(adj_of "$(main_pid ssh.service)")"
kill "$client" 2>/dev/null || :

# Spoofing as alice: each way of looking like sshd. All are started first,
# then a barrier the daemon must act on after their events: once it holds its
# value, the daemon has judged every one of them.
declare -A spoof_what=(
        [spoof-copy]="a copy of /usr/sbin/sshd run by alice (comm sshd)"
        [spoof-rename]="a process alice renamed to sshd with prctl"
        [spoof-argv0]="argv[0] set to /usr/sbin/sshd"
        [spoof-link]="a symlink named sshd to /bin/sleep"
        [spoof-real]="the real /usr/sbin/sshd run by alice (exe and comm both right, user wrong)"
        [spoof-sleep]="a copy of sleep named sshd"
)
ssh_as alice 'ssh-keygen -q -t ed25519 -N "" -f ~/hostkey && cp /usr/sbin/sshd ~/sshd && cp /bin/sleep ~/sleep-copy && mkdir -p ~/s && cp /bin/sleep ~/s/sshd && mkdir -p ~/l && ln -sf /bin/sleep ~/l/sshd'
ssh_session_bg alice 'exec -a spoof-copy ~/sshd -D -r -p 2222 -h ~/hostkey -f /dev/null -o PidFile=none' >/dev/null
ssh_session_bg alice 'exec -a spoof-rename oomtest-rename sshd 600' >/dev/null
ssh_session_bg alice 'exec -a "/usr/sbin/sshd spoof-argv0" sleep 600' >/dev/null
ssh_session_bg alice 'exec -a spoof-link ~/l/sshd 600' >/dev/null
ssh_session_bg alice 'exec -a spoof-real /usr/sbin/sshd -D -r -p 2223 -h ~/hostkey -f /dev/null -o PidFile=none' >/dev/null
ssh_session_bg alice 'exec -a spoof-sleep ~/s/sshd 600' >/dev/null

cp /bin/sleep /usr/local/bin/oomtest-barrier
mkdir -p /etc/oompolicy.conf.d
printf '[rule:barrier]\nname = oomtest-barrier\noom_score_adj = 77\n' >/etc/oompolicy.conf.d/90-barrier.conf
systemctl reload oompolicyd.service
for marker in "${!spoof_what[@]}"; do
        wait_until 120 pgrep -u alice -f "$marker" >/dev/null || fail "${spoof_what[$marker]}: did not start"
done
/usr/local/bin/oomtest-barrier 600 &
barrier=$!
check "the barrier process got its value (events before it were handled)" adj_becomes "$barrier" 77 60
for marker in "${!spoof_what[@]}"; do
        pid=$(pgrep -u alice -f "$marker" | head -n 1)
        [ -n "$pid" ] || continue
        if [ "$(adj_of "$pid")" = 0 ]; then
                pass "${spoof_what[$marker]}: pid $pid (comm '$(comm_of "$pid")', exe $(readlink "/proc/$pid/exe")) holds 0"
        else
                fail "${spoof_what[$marker]}: pid $pid (comm '$(comm_of "$pid")') holds $(adj_of "$pid")"
        fi
done
# Nothing alice runs is protected (her systemd --user manager holds the 100
# its unit, user@.service, gives it: that is systemd's, not ours).
protected=0
for pid in $(pgrep -u alice); do
        adj=$(adj_of "$pid")
        [ -n "$adj" ] && [ "$adj" -lt 0 ] || continue
        fail "alice's pid $pid ($(comm_of "$pid")) holds $adj after the barrier"
        protected=$((protected + 1))
done
[ "$protected" -eq 0 ] && pass "after the barrier none of alice's $(pgrep -u alice | wc -l) processes holds a negative value"
kill "$barrier" $(pgrep -u alice) 2>/dev/null || :
