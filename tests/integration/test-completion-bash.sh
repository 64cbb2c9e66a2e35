#!/bin/bash
# SPDX-License-Identifier: MIT
# The bash completion of oompolicyctl, called as bash calls it on TAB: command
# names, the options of a command, option values (files, times, cgroups), the
# PIDs of explain (a process this test starts among them; kernel threads and
# zombies not), on fake --root trees and on this machine. No root needed.
set -euo pipefail
source "$(dirname "$0")/completion-lib.sh"

tmp=$(mktemp -d)
trap cleanup EXIT

# Commands, and the command found past options and their values.
expect_reply oompolicyctl si :: simulate
expect_reply oompolicyctl e :: events explain
expect_reply oompolicyctl --config /x --json s :: status simulate
expect_reply oompolicyctl --root = /x -b 0 ev :: events
expect_reply oompolicyctl -n 5 t :: top

# Options of a command: its own and the global ones, not another command's.
expect_reply oompolicyctl top -- :: --help --version --config --root --json --no-pager --lines --all
expect_in oompolicyctl simulate --c :: --cgroup
expect_not_in oompolicyctl apply --c :: --cgroup
expect_in oompolicyctl events -- :: --since
expect_in oompolicyctl events -b -1 --f :: --follow
expect_in oompolicyctl check --s :: --strict
expect_reply oompolicyctl apply --dr :: --dry-run
# Before the command, any option.
expect_in oompolicyctl --cg :: --cgroup
expect_in oompolicyctl --st :: --state-dir

# Files and directories.
mkdir -p "$tmp/dir.d"
touch "$tmp/policy.conf" "$tmp/other"
expect_reply oompolicyctl --config "$tmp/pol" :: "$tmp/policy.conf"
expect_reply oompolicyctl -c "$tmp/pol" :: "$tmp/policy.conf"
expect_reply oompolicyctl check --config = "$tmp/pol" :: "$tmp/policy.conf"
expect_reply oompolicyctl --root "$tmp/d" :: "$tmp/dir.d"
expect_reply oompolicyctl events --file "$tmp/o" :: "$tmp/other"
expect_reply oompolicyctl events -D "$tmp/" :: "$tmp/dir.d"
# Without '=' in COMP_WORDBREAKS, "--opt=value" is one word.
expect_reply oompolicyctl --config="$tmp/pol" :: "--config=$tmp/policy.conf"

# Enumerated values.
expect_reply oompolicyctl events --since y :: yesterday
expect_reply oompolicyctl events --until = to :: today tomorrow
expect_reply oompolicyctl top -n "" ::

# explain: PIDs of a fake /proc: a process whose comm has spaces and ')', a
# kernel thread (PF_KTHREAD, 0x200000 in the flags) and a zombie.
fake=$tmp/root
stat_line() { echo "$1 ($2) $3 1 $1 $1 0 -1 $4 100 0 0 0 1 1 0 0 20 0 1 0 100 1000 10"; }
mkdir -p "$fake/proc/4242" "$fake/proc/4243" "$fake/proc/4244" "$fake/proc/self"
stat_line 4242 'my app) x' S 4194304 >"$fake/proc/4242/stat"
stat_line 4243 kworker/0:1 I 69238880 >"$fake/proc/4243/stat"
stat_line 4244 defunct Z 4194316 >"$fake/proc/4244/stat"
expect_reply oompolicyctl --root "$fake" explain "" :: "4242"
expect_reply oompolicyctl --root = "$fake/" explain 42 :: "4242"
mkdir -p "$fake/proc/4245"
stat_line 4245 'sleep' S 4194304 >"$fake/proc/4245/stat"
# Several: each shown with its name (a single match inserts the bare PID).
expect_reply oompolicyctl --root "$fake" explain 424 :: "4242 (my app) x)" "4245 (sleep)"
# Only the first argument is a PID.
expect_reply oompolicyctl --root "$fake" explain 4242 "" ::

# explain on this machine: a process the test started is offered.
sleep 600 &
PIDS+=($!)
pid=$!
expect_in oompolicyctl explain "" :: "$pid (sleep)"
complete_words oompolicyctl explain "$pid"
[[ ${COMPREPLY[0]%% *} == "$pid" ]] || fail "completing 'explain $pid' does not offer $pid first: [${COMPREPLY[*]}]"
ok "'explain $pid' offers $pid"

# --cgroup on fake hierarchies, found as oompolicyctl finds them: a v1 memory
# hierarchy (no mountinfo), a v2 one with and without the memory controller,
# and the mount mountinfo names.
v1=$tmp/v1
mkdir -p "$v1/sys/fs/cgroup/memory/system.slice/ssh.service" "$v1/sys/fs/cgroup/memory/user.slice"
touch "$v1/sys/fs/cgroup/memory/memory.limit_in_bytes"
expect_reply oompolicyctl --root "$v1" simulate --cgroup "" :: / /system.slice/ /user.slice/
expect_reply oompolicyctl --root "$v1" simulate --cgroup /s :: /system.slice/
expect_reply oompolicyctl --root "$v1" simulate --cgroup = /system.slice/ :: /system.slice/ssh.service/
expect_reply oompolicyctl --root "$v1" simulate --cgroup=/system.slice/ :: --cgroup=/system.slice/ssh.service/
v2=$tmp/v2
mkdir -p "$v2/sys/fs/cgroup/init.scope"
echo "cpuset cpu io memory pids" >"$v2/sys/fs/cgroup/cgroup.controllers"
expect_reply oompolicyctl --root "$v2" simulate --cgroup /i :: /init.scope/
echo "cpuset cpu io pids" >"$v2/sys/fs/cgroup/cgroup.controllers"
expect_reply oompolicyctl --root "$v2" simulate --cgroup /i ::
mi=$tmp/mi
mkdir -p "$mi/proc/self" "$mi/mnt/memcg/a.slice" "$mi/sys/fs/cgroup/b.slice"
echo "cpu memory" >"$mi/sys/fs/cgroup/cgroup.controllers"
cat >"$mi/proc/self/mountinfo" <<'EOF'
30 22 0:27 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw
34 30 0:31 / /mnt/memcg rw,relatime - cgroup cgroup rw,memory
EOF
expect_reply oompolicyctl --root "$mi" simulate --cgroup / :: / /a.slice/

# --cgroup on this machine: this test's own memory cgroup is offered.
own=
if [[ -e /sys/fs/cgroup/memory/memory.limit_in_bytes ]]; then
        own=$(sed -n 's/^[0-9]*:\([^:]*,\)\{0,1\}memory\(,[^:]*\)\{0,1\}:\(.*\)$/\3/p' /proc/self/cgroup)
elif grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
        own=$(sed -n 's/^0:://p' /proc/self/cgroup)
fi
if [[ -n $own && $own != / ]]; then
        expect_in oompolicyctl simulate --cgroup "${own%/*}/" :: "$own/"
else
        echo "note: no memory cgroup of our own below the root here; the fake hierarchies above stand in"
fi

# events --boot: no journal directory here, so no boots, and -b alone lets the
# next word be anything.
expect_reply oompolicyctl events -D "$tmp/dir.d" --boot = "" ::
expect_in oompolicyctl -b "" :: explain
