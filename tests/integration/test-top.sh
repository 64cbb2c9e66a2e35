#!/bin/bash
# SPDX-License-Identifier: MIT
# oompolicyctl top on the real kernel, with processes of known sizes started
# here: the order is the kernel's own /proc/PID/oom_score, the JSON keys, the
# rule column, the row limit and what --all adds (kernel threads, init).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/inspect-lib.sh"

inspect_setup

# The kernel's scores are (1000 + points * 1000 / totalpages) * 2 / 3 and one
# oom_score_adj unit adds totalpages / 1000 points (205+ pages with 800+ MiB of
# RAM): 10 units apart outweigh the 8 MiB (2048 pages) size differences and
# give distinct scores. The order (B, A, C) is neither that of start nor of size.
A="hogA-$$" B="hogB-$$" C="hogC-$$"
spawn_hog pa "$A" 16 110
spawn_hog pb "$B" 8 120
spawn_hog pc "$C" 12 100
ok "started $A=$pa (16 MiB, adj 110), $B=$pb (8 MiB, adj 120), $C=$pc (12 MiB, adj 100)"
# A name the kernel cuts at 15 bytes inside a UTF-8 character: JSON must stay UTF-8.
U="oomé-$$-"
while [[ $(printf '%s' "$U" | wc -c) -lt 14 ]]; do U+=x; done
U+="ü"
spawn_hog pu "$U" 1 0

policy="$tmp/policy.conf"
write_policy "$policy" <<EOF
[rule:bee]
name = $B
oom_score_adj = 120
EOF

# ---- --json: keys, order, values against the kernel ---------------------------
ctl top --all --json --config "$policy"
expect_rc 0 "top --all --json"
json_parses
json_check "all(sorted(e) == sorted(['pid', 'user', 'name', 'rss_kb', 'swap_kb', 'oom_score', 'oom_score_adj', 'rule', 'unit', 'oom_policy', 'managed_oom_preference', 'oom_group', 'oom_group_cgroup', 'verdict']) for e in j)"
json_check "all(j[i]['oom_score'] >= j[i + 1]['oom_score'] for i in range(len(j) - 1))"
json_check "any(e['pid'] == 2 and e['name'] == 'kthreadd' and e['rss_kb'] == 0 for e in j) and any(e['pid'] == 1 for e in j)"
ok "top --all --json: exactly the 8 keys, non-increasing oom_score, kernel threads and init included"
json_check "[e['name'] for e in j if e['pid'] == $pu] == ['$(printf '%s' "$U" | head -c 14)\\ufffd']"
ok "a name cut inside a UTF-8 character is listed as valid UTF-8 (U+FFFD for the cut byte)"

python3 - "$tmp/out" "$policy" "$pa:$A:16:110" "$pb:$B:8:120" "$pc:$C:12:100" <<'PY' || fail "top --json does not match the kernel"
import json, sys
rows = json.load(open(sys.argv[1]))
policy = sys.argv[2]
def kernel_score(pid):
    try:
        return int(open(f"/proc/{pid}/oom_score").read())
    except (FileNotFoundError, ProcessLookupError):
        return None
# The JSON is sorted by oom_score (checked above); those are the kernel's values
# for every process whose score did not change since (other work goes on here).
changed = sum(1 for r in rows if kernel_score(r["pid"]) not in (None, r["oom_score"]))
print(f"{len(rows)} processes listed, {changed} changed their oom_score since")
order = [r["pid"] for r in rows]
mine = []
for spec in sys.argv[3:]:
    pid, name, mib, adj = spec.split(":")
    pid, mib, adj = int(pid), int(mib), int(adj)
    r = [r for r in rows if r["pid"] == pid]
    assert len(r) == 1, f"{pid} listed {len(r)} times"
    r = r[0]
    assert r["name"] == name and r["user"] == "root" and r["oom_score_adj"] == adj, r
    assert r["oom_score"] == kernel_score(pid), (r, kernel_score(pid))
    # MiB of anonymous memory plus the binary and libc (a few MiB at most).
    assert mib * 1024 <= r["rss_kb"] <= mib * 1024 + 8192, r
    assert r["rule"] == (f"bee ({policy}:3)" if name.startswith("hogB") else None), r
    mine.append(pid)
# Ours, in the JSON's order, have non-increasing kernel scores read now.
mine.sort(key=order.index)
scores = [kernel_score(p) for p in mine]
print("ours in top order (pid, oom_score):", list(zip(mine, scores)))
assert scores == sorted(scores, reverse=True) and len(set(scores)) == 3, scores
PY
ok "top --json: our processes have the kernel's oom_score, their RSS, adj, user, and the rule (bee) for $B only"

# ---- default selection and row limit --------------------------------------------
ctl top --json --config "$policy"
expect_rc 0 "top --json"
json_check "1 <= len(j) <= 10"
json_check "all(e['pid'] not in (1, 2) and e['oom_score'] > 0 for e in j)"
ctl top --all --json --config "$policy"
all_count=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$tmp/out")
ctl top -n 3 --json --config "$policy"
json_check "len(j) == 3"
ctl top --all -n 2 --json --config "$policy"
json_check "len(j) == 2"
ok "top shows 10 rows without kernel threads, init or oom_score 0; -n 3 shows 3; --all lists $all_count"

# ---- the table -----------------------------------------------------------------
ctl top -n 100000 --config "$policy"
expect_rc 0 "top"
expect_line out " +PID USER +NAME +RSS +SWAP OOM_SCORE OOM_SCORE_ADJ UNIT +KILL +RULE"
expect_line out " *$pb root +$B +[0-9.]+M +0K +[0-9]+ +120 +[^ ]+ +[^ ]+ +bee \($(re "$policy"):3\)"
expect_line out " *$pa root +$A +[0-9.]+M +0K +[0-9]+ +110 +[^ ]+ +[^ ]+ +-"
expect_no_line out "^ *2 root +kthreadd "
ok "top prints the table with the UNIT, KILL and RULE columns (bee (FILE:LINE) or -)"

# ---- bad arguments -----------------------------------------------------------------
for bad in "-n 0" "-n x" "-n -3"; do
        # shellcheck disable=SC2086
        ctl top $bad
        expect_rc 2 "top $bad"
        expect_line err "oompolicyctl: -n needs a positive number of rows.*"
done
ctl top extra
expect_rc 2 "top with an argument"
ok "top refuses -n 0, -n x, -n -3 and extra arguments (exit 2)"
