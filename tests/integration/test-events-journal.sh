#!/bin/bash
# SPDX-License-Identifier: MIT
# oompolicyctl events on a journal directory (--directory): a journal of two
# boots written here with systemd-journal-remote, with kernel OOM reports and
# oompolicyd's kill entry naming the rule. The command line as a user types it:
# --boot forms, --since/--until words, --all, JSON, text, and the usage errors.
set -euo pipefail
CTL="$top_builddir/src/oompolicyctl"
remote=
for p in /lib/systemd/systemd-journal-remote /usr/lib/systemd/systemd-journal-remote; do
        [ -x "$p" ] && remote=$p && break
done
[ -n "$remote" ] || { echo "SKIP: systemd-journal-remote is not installed (Debian: systemd-journal-remote)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC

# Boot 1 on 2023-11-14 22:13:20 UTC: a kill the daemon logged with its rule;
# boot 2 a day later: a report without a kill, and a kill of no rule.
python3 - >"$tmp/in.export" <<'PY'
B1, B2, T0, DAY = "1" * 32, "2" * 32, 1700000000000000, 86400000000
def entry(**f):
    print("".join(f"{k}={v}\n" for k, v in f.items()))
def kernel(boot, rt, mono, msg):
    entry(__REALTIME_TIMESTAMP=rt, __MONOTONIC_TIMESTAMP=mono + 500, _BOOT_ID=boot, _TRANSPORT="kernel",
          SYSLOG_IDENTIFIER="kernel", _SOURCE_MONOTONIC_TIMESTAMP=mono, MESSAGE=msg)
kernel(B1, T0, 100000000, "stress invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0")
kernel(B1, T0 + 10, 100000010, "Out of memory: Killed process 4243 (stress) total-vm:1200000kB, anon-rss:800000kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:1600kB oom_score_adj:500")
entry(__REALTIME_TIMESTAMP=T0 + 20, __MONOTONIC_TIMESTAMP=100000020, _BOOT_ID=B1, _TRANSPORT="journal",
      SYSLOG_IDENTIFIER="oompolicyd", MESSAGE_ID="0b8f6a5e3c1d4e7fa2b9c4d5e6f7080a",
      MESSAGE="OOM kill (system-wide): pid 4243 (stress) uid 1000, rss 800000 kB, oom_score_adj 500; rule batch.",
      OOMPOLICY_VICTIM_PID=4243, OOMPOLICY_VICTIM_COMM="stress", OOMPOLICY_RULE="batch",
      OOMPOLICY_RULE_ORIGIN="/etc/oompolicy.conf.d/60-batch.conf:3", OOMPOLICY_RULE_OOM_SCORE_ADJ=500)
kernel(B2, T0 + DAY, 5000000, "bash invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0")
kernel(B2, T0 + DAY + 10, 5000010, "Out of memory and no killable processes...")
kernel(B2, T0 + DAY + 3600000000, 3605000000, "Out of memory: Killed process 555 (worker) total-vm:9000kB, anon-rss:5000kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:16kB oom_score_adj:0")
PY
mkdir "$tmp/journal"
"$remote" -o "$tmp/journal/test.journal" - <"$tmp/in.export" 2>/dev/null
J=(--directory "$tmp/journal")

fail() { echo "FAIL: $*"; exit 1; }
pids() {   # OPTIONS...: the victim pids events --json lists, space-separated ("-" for no kill)
        "$CTL" events --json "$@" | python3 -c 'import json,sys
print(" ".join(str(e["victim_pid"]) if e["kill"] else "-" for e in json.load(sys.stdin)))'
}
expect_pids() {   # WANT OPTIONS...
        local want=$1 got
        shift
        got=$(pids "$@") || fail "events --json $* failed"
        [ "$got" = "$want" ] || fail "events $*: kills '$got', expected '$want'"
        echo "ok: events $*: $want"
}

expect_pids "4243 555" "${J[@]}"
expect_pids "4243" "${J[@]}" --boot=-1
expect_pids "4243" "${J[@]}" -b -1
expect_pids "4243" "${J[@]}" --boot -1
expect_pids "4243" "${J[@]}" -b 1
expect_pids "555" "${J[@]}" -b
expect_pids "555" "${J[@]}" --boot=22222222-2222-2222-2222-222222222222
expect_pids "555" "${J[@]}" --since "2023-11-15"
expect_pids "555" "${J[@]}" -S "2023-11-15 22:00"
expect_pids "4243" "${J[@]}" --until "2023-11-15 00:00:00"
expect_pids "4243" "${J[@]}" -U "2023-11-14T22:14"
expect_pids "" "${J[@]}" --since "2023-11-14 23:00" --until "2023-11-15 22:00"
expect_pids "" "${J[@]}" --since -1h
expect_pids "4243 555" "${J[@]}" --until now
expect_pids "4243 - 555" "${J[@]}" --all

# The boot-1 kill in JSON: time, kernel time, boot, source and the joined rule.
"$CTL" events --json "${J[@]}" --boot=-1 | python3 -c '
import json, sys
(e,) = json.load(sys.stdin)
assert e["time"] == "2023-11-14T22:13:20.000000+00:00", e["time"]
assert e["kernel_time"] == 100.0, e["kernel_time"]
assert e["boot_id"] == "1" * 32 and e["source"] == "journal", e
assert e["kill"] is True and e["no_killable"] is False, e
assert e["rule"] == {"name": "batch", "origin": "/etc/oompolicy.conf.d/60-batch.conf:3", "oom_score_adj": 500}, e["rule"]
assert e["trigger_oom_adj"] is None, e
'
echo "ok: --json: time, kernel_time, boot_id, source, kill and the daemon's rule"

"$CTL" events --json --all "${J[@]}" -b | python3 -c '
import json, sys
nokill, kill = json.load(sys.stdin)
assert nokill["kill"] is False and nokill["no_killable"] is True and nokill["victim_pid"] is None, nokill
assert kill["rule"] is None, kill
'
echo "ok: --all marks the report without a kill; a kill of no logged rule has rule null"

# Text: the source on stderr, one line per kill on stdout, wall-clock first.
"$CTL" events "${J[@]}" --all >"$tmp/out" 2>"$tmp/err"
grep -qx -- "-- Source: journal in $tmp/journal, all boots" "$tmp/err" || fail "source note: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/out")" -eq 3 ] || fail "text: $(cat "$tmp/out")"
grep -q '^2023-11-14 22:13:20 \[  100.000000\] killed 4243 (stress) .* rule=batch (/etc/oompolicy.conf.d/60-batch.conf:3, oom_score_adj 500)$' "$tmp/out" ||
        fail "text kill line: $(cat "$tmp/out")"
grep -q '^2023-11-15 22:13:20 \[    5.000000\] no kill (no killable processes) global trigger=bash' "$tmp/out" ||
        fail "text no-kill line: $(cat "$tmp/out")"
echo "ok: text: source note, wall-clock time, the rule, the kill-less report marked"

# Usage errors exit 2 and say what is wrong; a boot the journal lacks exits 1.
expect_error() {   # STATUS PATTERN OPTIONS...
        local want=$1 pattern=$2 status=0
        shift 2
        "$CTL" events "$@" >/dev/null 2>"$tmp/err" || status=$?
        [ "$status" -eq "$want" ] || fail "events $*: exit $status, expected $want"
        grep -q -- "$pattern" "$tmp/err" || fail "events $*: message: $(cat "$tmp/err")"
        echo "ok: events $*: exit $want, '$pattern'"
}
expect_error 2 "--since: 'last tuesday' is not a time" "${J[@]}" --since "last tuesday"
expect_error 2 "--until: '2023-02-30' is not a time" "${J[@]}" --until 2023-02-30
expect_error 2 "--boot: 'x1' is not a boot" "${J[@]}" --boot=x1
expect_error 2 "--since is after --until" "${J[@]}" --since today --until yesterday
expect_error 2 "--file reads saved text; --boot needs the journal" --file /dev/null --boot=-1
expect_error 1 "boot -5 is not one of them" "${J[@]}" --boot=-5
expect_error 1 "Cannot open the journal in" --directory "$tmp/none"

# --follow on the journal: JSON Lines, the kills there already, then a kill
# appended to the journal while events waits for it.
mkdir "$tmp/follow"
follow_kill() {   # PID REALTIME: an export entry of a bare kill line in boot 3
        printf '__REALTIME_TIMESTAMP=%s\n__MONOTONIC_TIMESTAMP=%s\n_BOOT_ID=%s\n_TRANSPORT=kernel\nMESSAGE=%s\n\n' \
                "$2" "$(($2 - 1700000000000000 + 1000000))" 33333333333333333333333333333333 \
                "Out of memory: Killed process $1 (f$1) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:16kB oom_score_adj:0"
}
follow_kill 901 1700000000000000 | "$remote" -o "$tmp/follow/test.journal" - 2>/dev/null
"$CTL" events --json -f -D "$tmp/follow" >"$tmp/follow.out" 2>"$tmp/follow.err" &
follower=$!
trap 'kill "$follower" 2>/dev/null || :; rm -rf "$tmp"' EXIT
lines_are() { [ "$(wc -l <"$tmp/follow.out")" -eq "$1" ]; }
wait_lines() {   # N: within 60 s
        local i
        for ((i = 0; i < 600; i++)); do
                lines_are "$1" && return 0
                kill -0 "$follower" 2>/dev/null || fail "events -f exited: $(cat "$tmp/follow.err")"
                sleep 0.1
        done
        fail "events -f printed $(wc -l <"$tmp/follow.out") lines, expected $1: $(cat "$tmp/follow.out")"
}
wait_lines 1
follow_kill 902 1700000005000000 | "$remote" -o "$tmp/follow/test.journal" - 2>/dev/null
wait_lines 2
kill "$follower"
wait "$follower" 2>/dev/null || :
python3 -c '
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
assert [o["victim_pid"] for o in objs] == [901, 902], objs
assert all(o["source"] == "journal" and o["boot_id"] == "3" * 32 for o in objs), objs
' "$tmp/follow.out"
echo "ok: --follow on the journal prints each kill as a JSON line, also one written while it waits"
