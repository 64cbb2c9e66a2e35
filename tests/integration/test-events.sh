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

# The keys of every kill object (oompolicyctl(8)); --tasks adds "tasks".
export KEYS="timestamp trigger_comm trigger_pid gfp_mask order trigger_oom_score_adj constraint scope task_memcg
victim_pid victim_comm victim_uid total_vm_kb anon_rss_kb file_rss_kb shmem_rss_kb pgtables_kb victim_oom_score_adj
score reaped task_rows time kernel_time kill no_killable trigger_oom_adj boot_id source rule"

# The same from standard input, as one JSON document (an array, like top and
# simulate) whose objects have exactly the documented keys.
"$CTL" events --json --tasks --file - <"$DATA/6.1-dmesg.log" | python3 -c '
import json, os, sys
keys = set(os.environ["KEYS"].split()) | {"tasks"}
doc = json.load(sys.stdin)
assert isinstance(doc, list) and len(doc) == 1, doc
e = doc[0]
assert set(e) == keys, set(e) ^ keys
assert e["victim_pid"] == 15510 and e["scope"] == "global" and e["gfp_mask"] == "0xcc0(GFP_KERNEL)", e
assert e["task_rows"] == len(e["tasks"]) > 0
'
echo "ok: --json --tasks from stdin gives a JSON array of the one kill, with exactly the documented keys"

"$CTL" events --json --file "$DATA/rhel7-3.10-dmesg.log" | python3 -c '
import json, os, sys
keys = set(os.environ["KEYS"].split())
doc = json.load(sys.stdin)
assert isinstance(doc, list) and len(doc) == 1, doc
assert set(doc[0]) == keys, set(doc[0]) ^ keys
'
echo "ok: --json without --tasks leaves the task table out"

memcg=$("$CTL" events --json --file "$DATA/6.1-memcg-journal-short-iso.log")
echo "$memcg" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d)==1 and d[0]["scope"]=="memcg" and d[0]["task_memcg"], d'
echo "ok: memcg kills carry scope and task_memcg"

"$CTL" events --json --file "$DATA/non-oom.log" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d == [], d'
echo "ok: --json without kills prints an empty array"

# --follow streams JSON Lines instead: one complete object per line, the objects
# of the document, and nothing else on standard output.
two_kills() { cat "$DATA/6.1-dmesg.log" "$DATA/6.1-memcg-journal-short-iso.log"; }
lines=$(two_kills | "$CTL" events --json --follow --file -)
document=$(two_kills | "$CTL" events --json --file -)
python3 -c '
import json, sys
lines, document = sys.argv[1].split("\n"), json.loads(sys.argv[2])
assert len(lines) == 2, lines
objects = [json.loads(l) for l in lines]
assert all(isinstance(o, dict) for o in objects), objects
assert objects == document, (objects, document)
' "$lines" "$document"
echo "ok: --json --follow prints JSON Lines, one object per kill, the objects of the document"

if [ -r /dev/kmsg ]; then
        "$CTL" events >/dev/null || { echo "FAIL: events on /dev/kmsg"; exit 1; }
        "$CTL" events --json | python3 -c 'import json,sys; assert isinstance(json.load(sys.stdin), list)' ||
                { echo "FAIL: events --json on /dev/kmsg is not one JSON array"; exit 1; }
        echo "ok: reading /dev/kmsg works, and --json gives one array"
fi
