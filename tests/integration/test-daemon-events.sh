#!/bin/bash
# SPDX-License-Identifier: MIT
# oompolicyd follows process events (rescan_interval = 0, so nothing else can
# do the work): a process started after the daemon gets its rule's value and a
# decoy does not; a rename (prctl PR_SET_NAME) to a rule's name gets the value
# and a rename away gives the old value back; a setuid away from user = root
# gives the old value back; a process run as nobody under a root-only rule's
# name is never touched.
set -euo pipefail
. "$(dirname "$0")/daemon-lib.sh"

daemon_setup
command -v setpriv >/dev/null || skip "setpriv (util-linux) is needed to run a process as nobody"
id nobody >/dev/null 2>&1 && getent group nogroup >/dev/null || skip "needs user nobody and group nogroup"
nobody_uid=$(id -u nobody)

NEW="oomnew-$$"      # exec after the start
DECOY="oomdec-$$"    # matches nothing (a similar name)
REN="oomren-$$"      # only reachable through a rename
ROOT="oomroot-$$"    # name = ROOT + user = root
PY=$(python3 -c 'import os, sys; print(os.path.realpath(sys.executable))')
copy_binary /bin/sleep "$BIN/$NEW"
copy_binary /bin/sleep "$BIN/$DECOY"
copy_binary /bin/sleep "$BIN/$ROOT"
copy_binary "$PY" "$tmp/py/$ROOT"
copy_binary "$PY" "$tmp/py/oompy-$$"

policy="$tmp/policy.conf"
write_policy "$policy" <<EOF
[rule:new]
name = $NEW
oom_score_adj = 310

[rule:renamed]
name = $REN
oom_score_adj = 320

[rule:rootonly]
name = $ROOT
user = root
oom_score_adj = 300

$(barrier_rule)

$(test_daemon_section)
EOF

start_daemon "$policy"

# ---- 1. exec after the start ----
spawn p_new "$BIN/$NEW"
spawn p_decoy "$BIN/$DECOY"
wait_adj "$p_new" 310 "started after the daemon"
barrier
expect_adj "$p_decoy" "$base" "decoy"
ok "new process $p_new got 310 from its EXEC event; decoy $p_decoy kept $base"

# ---- 2. renames ----
# python3 (comm "oompy-PID") renames itself when $tmp/go-N exists, N = 1, 2.
ren_script='
import ctypes, os, sys, time
libc = ctypes.CDLL(None)
for n, name in ((1, sys.argv[2]), (2, sys.argv[3])):
    while not os.path.exists("%s/go-%d" % (sys.argv[1], n)):
        time.sleep(0.01)
    if libc.prctl(15, name.encode(), 0, 0, 0) != 0:
        sys.exit("prctl failed")
time.sleep(300)
'
"$tmp/py/oompy-$$" -c "$ren_script" "$tmp" "$REN" "oomaway-$$" </dev/null &
p_ren=$!
PIDS+=("$p_ren")
wait_exec "$p_ren" "$tmp/py/oompy-$$"
barrier
expect_adj "$p_ren" "$base" "before the rename"
touch "$tmp/go-1"
wait_adj "$p_ren" 320 "after prctl(PR_SET_NAME, $REN)"
[[ "$(cat "/proc/$p_ren/comm")" == "$REN" ]] || fail "comm of $p_ren is $(cat "/proc/$p_ren/comm")"
ok "rename of $p_ren to $REN got 320 from its COMM event"
touch "$tmp/go-2"
wait_adj "$p_ren" "$base" "renamed away from $REN: previous value restored"
ok "rename of $p_ren away from $REN restored $base"

# ---- 3. uid changes and spoofing ----
spawn p_root "$BIN/$ROOT"
wait_adj "$p_root" 300 "$ROOT run by root"
ok "root process $p_root named $ROOT got 300"

# A root process named ROOT that becomes nobody once $tmp/go-setuid exists.
setuid_script='
import os, sys, time
while not os.path.exists(sys.argv[1] + "/go-setuid"):
    time.sleep(0.01)
os.setgroups([])
os.setgid(int(sys.argv[2]))
os.setuid(int(sys.argv[2]))
time.sleep(300)
'
"$tmp/py/$ROOT" -c "$setuid_script" "$tmp" "$nobody_uid" </dev/null &
p_setuid=$!
PIDS+=("$p_setuid")
wait_exec "$p_setuid" "$tmp/py/$ROOT"
wait_adj "$p_setuid" 300 "$ROOT still root"
touch "$tmp/go-setuid"
for ((i = 0; i < 500; i++)); do
        [[ "$(awk '/^Uid:/ {print $2}' "/proc/$p_setuid/status")" == "$nobody_uid" ]] && break
        sleep 0.01
done
[[ "$(awk '/^Uid:/ {print $2}' "/proc/$p_setuid/status")" == "$nobody_uid" ]] || fail "$p_setuid did not setuid"
wait_adj "$p_setuid" "$base" "after setuid(nobody) the rule (user = root) no longer matches: previous value"
ok "setuid of $p_setuid to nobody restored $base (UID event)"

# The same name run as nobody: never touched.
spawn p_spoof "$BIN/$ROOT" setpriv --reuid=nobody --regid=nogroup --clear-groups
[[ "$(awk '/^Uid:/ {print $2}' "/proc/$p_spoof/status")" == "$nobody_uid" ]] || fail "$p_spoof does not run as nobody"
barrier
expect_adj "$p_spoof" "$base" "$ROOT run by nobody (rule wants user = root)"
expect_adj "$p_root" 300 "root process unchanged"
ok "nobody's process $p_spoof named $ROOT kept $base"

# Only events did the work: no overflows, no failures (rescans: see below).
# 7 writes: new, rename, root, setuid-to-be, three barriers; 2 restores: rename away, setuid.
wait_state "j['counters']['adjusted'] >= 7 and j['counters']['restored'] >= 2" "counters adjusted >= 7, restored >= 2"
[[ "$(counter overflows)" == 0 ]] || fail "counters.overflows is $(counter overflows)"
# With rescan_interval = 0 only the initial scan is expected. The daemon also rescans after
# an event it failed to evaluate, which a concurrent writer of some unrelated process's
# oom_score_adj (another test's daemon) can cause: noted, not failed.
rescans=$(counter rescans)
[[ $rescans == 1 ]] || echo "note: $rescans rescans, expected 1: $(grep -c "^oompolicyd: Scanned" "$DLOG") in the log"
[[ "$(counter failed)" == 0 ]] || fail "counters.failed is $(counter failed)"
expect_daemon_alive
done_ok
