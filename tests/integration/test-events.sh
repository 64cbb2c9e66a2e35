#!/bin/bash
# oompolicyctl events over saved kernel logs of several kernel versions and
# formats, and over the live /dev/kmsg.
set -euo pipefail
CTL="$top_builddir/src/oompolicyctl"
DATA="$top_srcdir/tests/data/oom"

expect_count() {   # FILE N: exactly N kills
        local n
        n=$("$CTL" events --file "$DATA/$1" | wc -l)
        [ "$n" -eq "$2" ] || { echo "FAIL: $1: $n kills, expected $2"; "$CTL" events --file "$DATA/$1"; exit 1; }
        echo "ok: $1: $2 kill(s)"
}
expect_count non-oom.log 0
expect_count 6.1-dmesg.log 1
expect_count rhel7-3.10-dmesg.log 1

line=$("$CTL" events --file "$DATA/6.1-dmesg.log")
case "$line" in
        *"killed 15510 (java) uid=1000 anon-rss=15437.6MiB oom_score_adj=300 global trigger=kworker/u8:2 order=0"*) ;;
        *) echo "FAIL: unexpected line: $line"; exit 1 ;;
esac
echo "ok: human line names victim, uid, rss, adj, scope and trigger"

# The same from standard input, as JSON Lines with exactly the documented keys.
"$CTL" events --json --tasks --file - <"$DATA/6.1-dmesg.log" | python3 -c '
import json, sys
keys = {"timestamp","trigger_comm","trigger_pid","gfp_mask","order","trigger_oom_score_adj","constraint","scope",
        "task_memcg","victim_pid","victim_comm","victim_uid","total_vm_kb","anon_rss_kb","file_rss_kb","shmem_rss_kb",
        "pgtables_kb","victim_oom_score_adj","score","reaped","task_rows","tasks"}
lines = sys.stdin.read().splitlines()
assert len(lines) == 1, lines
e = json.loads(lines[0])
assert set(e) == keys, set(e) ^ keys
assert e["victim_pid"] == 15510 and e["scope"] == "global" and e["gfp_mask"] == "0xcc0(GFP_KERNEL)", e
assert e["task_rows"] == len(e["tasks"]) > 0
'
echo "ok: --json --tasks from stdin gives one JSON line with exactly the documented keys"

memcg=$("$CTL" events --json --file "$DATA/6.1-memcg-journal-short-iso.log")
echo "$memcg" | python3 -c 'import json,sys; e=json.loads(sys.stdin.readline()); assert e["scope"]=="memcg" and e["task_memcg"], e'
echo "ok: memcg kills carry scope and task_memcg"

if [ -r /dev/kmsg ]; then
        "$CTL" events >/dev/null || { echo "FAIL: events on /dev/kmsg"; exit 1; }
        echo "ok: reading /dev/kmsg works"
fi
