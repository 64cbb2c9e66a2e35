#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenario 14, Prometheus: Debian's prometheus-node-exporter reads the daemon's
# metrics_file from its textfile directory (/var/lib/prometheus/node-exporter,
# writable for the shipped unit without a drop-in of the unit). Its scrape at
# localhost:9100/metrics has the oompolicyd series with the values that
# oompolicyctl status --json shows; after a real OOM kill in a memory cgroup
# (a systemd-run service with MemoryMax=, its process protected with -100 by
# a cgroup rule) the kill counters move in the scrape as in status. The
# scrape's oompolicyd families are saved as $OUT/scrape-oompolicyd.prom, which
# tests/system/run checks with promtool on the host (the image has none). A
# clean stop of the daemon takes its series out of the scrape.
# timeout: 600
# duration: 220
. ./lib.sh

wait_until 300 system_settled || :
t0=$SECONDS
textdir=/var/lib/prometheus/node-exporter
info "/etc/default/prometheus-node-exporter: $(grep -v '^#' /etc/default/prometheus-node-exporter | tr '\n' ' ')"
systemctl unmask prometheus-node-exporter.service >/dev/null 2>&1
check "prometheus-node-exporter starts" systemctl start prometheus-node-exporter.service
check "its textfile directory $textdir exists" test -d "$textdir"
evidence "node exporter: $(/usr/bin/prometheus-node-exporter --version 2>&1 | head -n 1)"
evidence "node exporter command line: $(tr '\0' ' ' </proc/"$(main_pid prometheus-node-exporter)"/cmdline)"

install -m 0755 "$IN/bin/oomtest-memhog" /usr/local/bin/oomtest-promhog
mkdir -p /etc/oompolicy.conf.d
printf '[rule:promhog]\ncgroup = /system.slice/oomtest-prom.service\noom_score_adj = -100\n\n[daemon]\nmetrics_file = %s/oompolicyd.prom\n' \
        "$textdir" >/etc/oompolicy.conf.d/60-prometheus.conf
check "systemctl reload with metrics_file in the textfile directory" systemctl reload oompolicyd.service
check "the daemon writes $textdir/oompolicyd.prom" wait_until 60 test -f "$textdir/oompolicyd.prom"

cat >/run/oomtest-compare.py <<'EOF'
# compare.py STATE_JSON: compares the oompolicyd series of a node exporter
# scrape with oompolicyctl status --json; prints the differences (none: equal)
# and saves the scrape.
import json, re, sys, urllib.request

state = json.load(open(sys.argv[1]))
text = urllib.request.urlopen("http://localhost:9100/metrics", timeout=30).read().decode()
series = {}
for line in text.splitlines():
    m = re.match(r'^(oompolicyd_[a-z_]+(?:\{[^}]*\})?) (\S+)$', line)
    if m:
        series[m.group(1)] = float(m.group(2))
c = state["counters"]
want = {
    "oompolicyd_adjustment_failures_total": c["failed"],
    "oompolicyd_restores_total": c["restored"],
    "oompolicyd_resets_total": c["reset"],
    "oompolicyd_events_total": c["events"],
    "oompolicyd_rescans_total": c["rescans"],
    "oompolicyd_overflows_total": c["overflows"],
    "oompolicyd_reloads_total": c["reloads"],
    "oompolicyd_reload_failures_total": c["reload_failures"],
    "oompolicyd_oom_kills_protected_total": c["oom_kills_protected"],
    'oompolicyd_oom_kills_total{scope="global"}': c["oom_kills_global"],
    'oompolicyd_oom_kills_total{scope="memcg"}': c["oom_kills_memcg"],
    "oompolicyd_rules": state["rules"],
    "oompolicyd_tracked_processes": state["tracked_processes"],
    "oompolicyd_proc_connector": int(state["proc_connector"]),
    "oompolicyd_last_reload_success": int(state["last_reload_ok"]),
    "oompolicyd_last_update_timestamp_seconds": state["updated_usec"] / 1e6,
    "oompolicyd_last_reload_success_timestamp_seconds": state["policy_loaded_usec"] / 1e6,
    'oompolicyd_build_info{version="%s"}' % state["version"]: 1,
}
for s in state["sysctl"]:
    want['oompolicyd_sysctl_drift{sysctl="%s"}' % s["key"]] = int(s["drift"])
diff = ["%s: status %s, scrape %s" % (k, v, series.get(k)) for k, v in want.items()
        if k not in series or abs(series[k] - v) > 1e-6]
if "oompolicyd_start_time_seconds" not in series:
    diff.append("no oompolicyd_start_time_seconds")
if not any(k.startswith("oompolicyd_adjustments_total{") for k in series):
    diff.append("no oompolicyd_adjustments_total{rule=...}")
for line in diff:
    print(line)
with open(sys.argv[2], "w") as f:
    f.write(text)
# Only the families of oompolicyd (with their HELP and TYPE), for promtool.
with open(sys.argv[3], "w") as f:
    f.write("".join(l + "\n" for l in text.splitlines()
                    if re.match(r"^(# (HELP|TYPE) )?oompolicyd_", l)))
sys.exit(1 if diff else 0)
EOF

# scrape_matches LABEL: the scrape agrees with status (retried: the daemon may
# publish between the two reads).
scrape_matches() {
        oompolicyctl status --json >/run/oomtest-state.json || return 1
        python3 /run/oomtest-compare.py /run/oomtest-state.json "$OUT/scrape-$1.txt" "$OUT/scrape-oompolicyd.prom" \
                >"$OUT/compare-$1.txt" 2>&1
}
if wait_until 120 scrape_matches start; then
        pass "the scrape's oompolicyd series have the values of oompolicyctl status --json"
else
        fail "the scrape differs from status: $(tr '\n' ';' <"$OUT/compare-start.txt")"
fi
grep '^oompolicyd_' "$OUT/scrape-start.txt" | while read -r l; do evidence "scrape before the kill: $l"; done
check "node_textfile_mtime_seconds has the file" grep -q '^node_textfile_mtime_seconds{file=".*oompolicyd.prom"}' "$OUT/scrape-start.txt"
check "node_textfile_scrape_error is 0" grep -qx 'node_textfile_scrape_error 0' "$OUT/scrape-start.txt"
grep '^node_textfile' "$OUT/scrape-start.txt" | while read -r l; do evidence "scrape: $l"; done

# A real OOM kill in a memory cgroup. The service's shell gets the rule's
# value first, then becomes the hog (which keeps it), and grows past the limit.
kill_counts() {   # "MEMCG PROTECTED" kill counters in a fresh scrape (one python: each costs seconds under TCG)
        python3 -c 'import urllib.request
v = dict(l.rsplit(" ", 1) for l in urllib.request.urlopen("http://localhost:9100/metrics", timeout=30).read().decode().splitlines()
         if l.startswith("oompolicyd_oom_kills"))
print(v.get("oompolicyd_oom_kills_total{scope=\"memcg\"}"), v.get("oompolicyd_oom_kills_protected_total"))'
}
read -r kills_before protected_before <<<"$(kill_counts)"
rm -f /run/oomtest-go
systemd-run --unit=oomtest-prom -p MemoryMax=32M -p MemorySwapMax=0 \
        sh -c 'until [ -e /run/oomtest-go ]; do sleep 0.1; done; exec /usr/local/bin/oomtest-promhog 128 10' >/dev/null 2>&1
hog=$(main_pid oomtest-prom.service)
check "the service's process (pid $hog) gets oom_score_adj -100 from the cgroup rule" adj_becomes "$hog" -100 60
touch /run/oomtest-go
check "the kernel kills the hog in its memory cgroup" wait_until 120 sh -c "journalctl -k --no-pager -o cat | grep -q 'Killed process $hog (oomtest-promhog)'"
evidence "kernel: $(journalctl -k --no-pager -o cat | grep "Killed process $hog" | head -n 1)"
kills_moved() { [ "$(kill_counts)" = "$((kills_before + 1)) $((protected_before + 1))" ]; }
check "the scrape counts the memcg kill and the protected kill ($kills_before -> $((kills_before + 1)), $protected_before -> $((protected_before + 1)))" \
        wait_until 120 kills_moved
if wait_until 120 scrape_matches kill; then
        pass "after the kill, the scrape still has the values of oompolicyctl status --json"
else
        fail "after the kill, the scrape differs from status: $(tr '\n' ';' <"$OUT/compare-kill.txt")"
fi
grep -E '^oompolicyd_(oom_kills|last_update|start_time)' "$OUT/scrape-kill.txt" | while read -r l; do evidence "scrape after the kill: $l"; done
systemctl reset-failed oomtest-prom.service >/dev/null 2>&1 || :

# A clean stop: the file and with it the series are gone (absent, not stale).
check "systemctl stop oompolicyd" systemctl stop oompolicyd.service
check "the metrics file is removed on a clean stop" test ! -e "$textdir/oompolicyd.prom"
no_series() { ! python3 -c 'import urllib.request, sys
sys.exit(0 if "\noompolicyd_" in urllib.request.urlopen("http://localhost:9100/metrics", timeout=30).read().decode() else 1)'; }
check "the scrape has no oompolicyd series after the stop" wait_until 60 no_series
evidence "scenario 14 ran in $((SECONDS - t0)) s after the boot settled"
info "ran in $((SECONDS - t0)) s"
