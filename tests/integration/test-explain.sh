#!/bin/bash
# SPDX-License-Identifier: MIT
# oompolicyctl explain PID on the real kernel: every rule with the reason each
# qualifier matched or failed, the winning rule (the one apply picks), desired
# against current value, the badness parts adding up to the points, the
# computed oom_score against /proc/PID/oom_score, the rank; and clear errors
# for a missing PID, a kernel thread, a zombie and a non-number.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/inspect-lib.sh"

inspect_setup

A="hogA-$$" B="hogB-$$"
spawn_hog pa "$A" 8 110
spawn_hog pb "$B" 12 120
ok "started $A=$pa (8 MiB, adj 110), $B=$pb (12 MiB, adj 120)"

policy="$tmp/policy.conf"
write_policy "$policy" <<EOF
[rule:exe-wrong]
name = $B
exe = /usr/sbin/$B
oom_score_adj = 500

[rule:user-wrong]
name = $B
user = nobody
oom_score_adj = 600

[rule:bee]
name = $B
user = root
exe = $tmp/bin/$B
oom_score_adj = 120

[oom_score_adj]
$A = 300
EOF
f=$(re "$policy")

# ---- the text form -----------------------------------------------------------
ctl explain "$pb" --config "$policy"
expect_rc 0 "explain $pb"
expect_line out "PID $pb \($B\), user root \(uid 0\)"
expect_line out "Policy: $f"
expect_line out "  \[rule:exe-wrong\] \($f:1\) oom_score_adj = 500: no match"
expect_line out "      name: \"$B\" matched"
expect_line out "      exe: $(re "$tmp/bin/$B") does not match /usr/sbin/$B"
expect_line out "  \[rule:user-wrong\] \($f:6\) oom_score_adj = 600: no match"
expect_line out "      user: process uid 0 is not nobody"
expect_line out "  \[rule:bee\] \($f:11\) oom_score_adj = 120: MATCHES"
expect_line out "      user: process uid 0 is root"
expect_line out "      exe: $(re "$tmp/bin/$B") matched"
expect_line out "  \[oom_score_adj\] $A = 300 \($f:18\): no match"
expect_line out "      name: \"$B\" does not match $A"
expect_line out "Winning rule: bee \($f:15\)"
expect_line out "oom_score_adj: desired 120, current 120 \(already set\)"
expect_line out "oom_score: computed [0-9]+, read [0-9]+ \(/proc/$pb/oom_score\)"
expect_line out "Rank: [0-9]+ of [0-9]+ killable.*"
ok "explain $pb: each rule and qualifier with its reason, the winner bee, desired = current"

# The winner is what apply would pick.
ctl apply --dry-run --config "$policy"
expect_rc 0 "apply --dry-run"
expect_line out "$pa $A 110 -> 300 \($A, $f:18\)"
expect_no_line out "^$pb "
ok "apply agrees: $A would change (its rule), $B is already at bee's value"

# ---- JSON: the numbers add up and agree with the kernel ----------------------
ctl explain "$pb" --json --config "$policy"
expect_rc 0 "explain --json"
json_parses
python3 - "$tmp/out" "$pb" "$policy" "$(totalpages)" "$(getconf PAGESIZE)" <<'PY' || fail "explain --json is inconsistent"
import json, sys
j = json.load(open(sys.argv[1]))
pid, policy, totalpages, page = int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
assert j["pid"] == pid and j["user"] == "root" and j["uid"] == 0, j
assert [(r["rule"], r["matched"]) for r in j["rules"]] == [("exe-wrong", False), ("user-wrong", False), ("bee", True), (j["rules"][3]["rule"], False)], j["rules"]
assert {q["qualifier"]: q["result"] for q in j["rules"][1]["qualifiers"]} == {"name": "matched", "user": "failed"}, j["rules"][1]
assert j["winning_rule"] == f"bee ({policy}:15)", j["winning_rule"]
assert j["oom_score_adj"] == {"current": 120, "desired": 120}, j["oom_score_adj"]
b = j["badness"]
assert b["killable"] and b["totalpages"] == totalpages and b["page_size"] == page, b
assert b["adj_pages"] == 120 * (totalpages // 1000), b
assert b["points"] == b["rss_pages"] + b["swap_pages"] + b["pgtables_pages"] + b["adj_pages"], b
assert 12 * 2**20 // page <= b["rss_pages"] <= 12 * 2**20 // page + 2048, b
assert abs(b["rss_mib"] - b["rss_pages"] * page / 2**20) < 0.01, b
# The kernel's formula on these points; /proc/PID/oom_score read now.
kernel = int(open(f"/proc/{pid}/oom_score").read())
assert j["oom_score"]["computed"] == (1000 + b["points"] * 1000 // totalpages) * 2 // 3, j["oom_score"]
assert abs(j["oom_score"]["computed"] - j["oom_score"]["read"]) <= 1 and abs(j["oom_score"]["read"] - kernel) <= 1, (j["oom_score"], kernel)
assert 1 <= j["rank"]["position"] <= j["rank"]["killable"], j["rank"]
assert j["under_policy"]["points"] == b["points"] and j["under_policy"]["oom_score_adj"] == 120, j["under_policy"]
print(f"points {b['points']} = {b['rss_pages']} + {b['swap_pages']} + {b['pgtables_pages']} + {b['adj_pages']}; "
      f"oom_score computed {j['oom_score']['computed']}, read {j['oom_score']['read']}, kernel now {kernel}; "
      f"rank {j['rank']['position']} of {j['rank']['killable']}")
PY
ok "explain --json: parts add up to the points, oom_score computed = read, rank within the killable"

# A process whose rule is not applied yet: desired and the effect of the policy.
ctl explain "$pa" --json --config "$policy"
expect_rc 0 "explain $pa --json"
json_check "j['winning_rule'] == '$A ($policy:18)' and j['oom_score_adj'] == {'current': 110, 'desired': 300}"
json_check "j['under_policy']['points'] - j['badness']['points'] == 190 * ($(totalpages) // 1000)"
ctl explain "$pa" --config "$policy"
expect_line out "oom_score_adj: desired 300, current 110 \(not applied yet: .*\)"
expect_line out "Under the policy \(oom_score_adj 300\): [0-9]+ points, rank [0-9]+ of [0-9]+ killable"
ok "explain $pa: desired 300 against current 110, and its points and rank under the policy"

# ---- errors ------------------------------------------------------------------
pid_max=$(cat /proc/sys/kernel/pid_max)
ctl explain "$pid_max" --config "$policy"
expect_rc 1 "explain of a PID that cannot exist"
expect_line err "No process with PID $pid_max\."
ctl explain 2 --config "$policy"
expect_rc 1 "explain of kthreadd"
expect_line err "PID 2 \(kthreadd\) is a kernel thread: .*"
ctl explain abc --config "$policy"
expect_rc 1 "explain abc"
expect_line err "oompolicyctl explain: 'abc' is not a PID"
ctl explain
expect_rc 2 "explain without a PID"

# A zombie: a child that its parent (which then runs sleep) never reaps.
sh -c 'sleep 0 & exec sleep 60' </dev/null >/dev/null 2>&1 &
parent=$!
PIDS+=("$parent")
zombie=
for ((i = 0; i < 200; i++)); do
        zombie=$(cat "/proc/$parent/task/$parent/children" 2>/dev/null | awk '{print $1}')
        [[ -n "$zombie" && "$(awk '{print $3}' "/proc/$zombie/stat" 2>/dev/null)" == Z ]] && break
        zombie=
        sleep 0.025
done
if [[ -n "$zombie" ]]; then
        ctl explain "$zombie" --config "$policy"
        expect_rc 1 "explain of a zombie"
        expect_line err "PID $zombie \(sleep\) is a zombie: .*"
        ok "explain: a zombie is refused (exit 1) with the reason"
else
        echo "skip: could not make a zombie (/proc/PID/task/PID/children missing?)"
fi
stop "$parent"
ok "explain: clear errors (exit 1) for a PID that does not exist, a kernel thread, a non-number; none given is a usage error (2)"
