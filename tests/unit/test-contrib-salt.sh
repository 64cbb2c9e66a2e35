#!/bin/bash
# SPDX-License-Identifier: MIT
# The Salt state of contrib/salt, as far as it can be checked without Salt
# (not packaged in Debian 12): rendered with Jinja the way Salt renders an SLS
# (pillar from pillar.example), it is YAML with the states and documented
# options it should have (file.managed with check_cmd, service.running with
# reload and watch); its drop-in template renders a policy oompolicyctl accepts.
set -euo pipefail

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir}
if ! python3 -c 'import yaml, jinja2' 2>/dev/null; then
        echo "SKIP: python3 lacks yaml or jinja2 (Debian packages python3-yaml, python3-jinja2)"
        exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 - "$srcdir/contrib/salt" "$tmp/dropin.conf" "$tmp/check_cmd" <<'EOF'
import json, os, sys
import jinja2, yaml

salt_dir, out, check_cmd_out = sys.argv[1], sys.argv[2], sys.argv[3]
with open(os.path.join(salt_dir, "pillar.example")) as f:
    pillar = yaml.safe_load(f)

def pillar_get(key, default=None):
    return pillar.get(key, default)

env = jinja2.Environment()
# Salt's Jinja adds a json filter; its pillar.get is a function of salt[].
env.filters["json"] = json.dumps
with open(os.path.join(salt_dir, "oompolicyd", "init.sls")) as f:
    sls = env.from_string(f.read()).render(salt={"pillar.get": pillar_get}, pillar=pillar)
states = yaml.safe_load(sls)

def fail(msg):
    print("FAIL: " + msg)
    print(sls)
    sys.exit(1)

def options(state_id, fun):
    if state_id not in states or fun not in states[state_id]:
        fail("no %s state %s" % (fun, state_id))
    merged = {}
    for item in states[state_id][fun]:
        if not isinstance(item, dict) or len(item) != 1:
            fail("%s %s: an option is not a one-key mapping: %r" % (state_id, fun, item))
        merged.update(item)
    return merged

# The options each state uses, all of them documented ones of that state
# function (salt.states.pkg.installed, salt.states.file.managed,
# salt.states.service.running) or global requisites.
documented = {
    "pkg.installed": {"name", "require"},
    "file.managed": {"name", "source", "template", "context", "user", "group", "mode", "check_cmd", "require"},
    "service.running": {"name", "enable", "reload", "watch", "require"},
}
used = {"oompolicyd-package": "pkg.installed", "oompolicyd-dropin": "file.managed",
        "oompolicyd-service": "service.running"}
if set(states) != set(used):
    fail("states %s, expected %s" % (sorted(states), sorted(used)))
opts = {}
for state_id, fun in used.items():
    opts[state_id] = options(state_id, fun)
    unknown = set(opts[state_id]) - documented[fun]
    if unknown:
        fail("%s %s: options %s are not ones this test knows to be documented" % (state_id, fun, sorted(unknown)))

dropin = "/etc/oompolicy.conf.d/" + pillar["oompolicyd"]["dropin_name"]
f = opts["oompolicyd-dropin"]
# Salt runs check_cmd with the temporary file's path appended.
checks = [
    (f["name"] == dropin, "file.managed name is %r, expected %r" % (f["name"], dropin)),
    (f["check_cmd"] == "/usr/bin/oompolicyctl check --as " + dropin, "check_cmd is %r" % f["check_cmd"]),
    (f["source"] == "salt://oompolicyd/files/dropin.conf.jinja" and f["template"] == "jinja", "source/template"),
    (os.path.isfile(os.path.join(salt_dir, "oompolicyd", "files", "dropin.conf.jinja")), "the source file is missing"),
    ((f["user"], f["group"], f["mode"]) == ("root", "root", "0644"), "owner/mode"),
    (opts["oompolicyd-service"]["reload"] is True, "service.running does not reload"),
    (opts["oompolicyd-service"]["watch"] == [{"file": "oompolicyd-dropin"}], "service.running does not watch the drop-in"),
    (opts["oompolicyd-service"]["enable"] is True, "service.running does not enable"),
]
for ok, msg in checks:
    if not ok:
        fail(msg)
with open(check_cmd_out, "w") as o:
    o.write(f["check_cmd"] + "\n")
print("ok: init.sls renders to YAML: pkg.installed, file.managed with check_cmd '%s' (Salt appends the temporary file), "
      "service.running with reload: true watching the drop-in" % f["check_cmd"])

with open(os.path.join(salt_dir, "oompolicyd", "files", "dropin.conf.jinja")) as t:
    text = env.from_string(t.read()).render(**f["context"])
with open(out, "w") as o:
    o.write(text + "\n")
for want in ("[rule:sshd]", "oom_score_adj = -900", "name = cc1 cc1plus rustc", "[sysctl]", "vm.oom_dump_tasks = 0"):
    if want not in text.splitlines():
        fail("the rendered drop-in has no line %r:\n%s" % (want, text))
print("ok: the drop-in template renders the pillar's rules and sysctls (lists as globs)")
EOF

# As the tool runs it: the rendered file checked as if installed at its
# final path, on top of the vendor policy. Policy files must be root's, so
# this needs root.
if [ "$(id -u)" -ne 0 ]; then
        echo "skip: checking the rendered drop-in with oompolicyctl check --as needs root (policy files must be root's)"
        exit 77
fi
mkdir -p "$tmp/policy/oompolicy.conf.d"
cp "$srcdir/conf/oompolicy.conf" "$tmp/policy/oompolicy.conf"
dest=$tmp/policy/oompolicy.conf.d/50-salt.conf
ctl() { "$builddir/src/oompolicyctl" --config "$tmp/policy/oompolicy.conf" "$@"; }
# The state's check_cmd as Salt runs it, the temporary file appended; only
# the program and the installed path point into the test's tree.
read -ra argv <"$tmp/check_cmd"
if [ "${#argv[@]}" -ne 4 ] || [ "${argv[0]}" != /usr/bin/oompolicyctl ] || [ "${argv[3]}" != /etc/oompolicy.conf.d/50-salt.conf ]; then
        echo "FAIL: unexpected check_cmd: ${argv[*]}"
        exit 1
fi
if ! out=$(ctl "${argv[1]}" "${argv[2]}" "$dest" "$tmp/dropin.conf" 2>&1); then
        echo "FAIL: oompolicyctl check --as refuses the rendered drop-in on top of the vendor policy:"
        echo "$out"
        exit 1
fi
if ! grep -Eq 'oom_score_adj += -900 +\(.*/50-salt.conf \(checking .*\):[0-9]+\)' <<<"$out"; then
        echo "FAIL: the vendor sshd rule's oom_score_adj does not come from the checked drop-in:"
        echo "$out"
        exit 1
fi
echo "ok: the state's check_cmd with the file appended (oompolicyctl check --as) accepts the rendered drop-in on top of the vendor policy (sshd's oom_score_adj from it)"
{ cat "$tmp/dropin.conf"; printf '\n[rule:broken]\nname = oomtest-none\noom_score_adj = 100\nbogus = 1\n'; } >"$tmp/broken.conf"
line=$(grep -n '^bogus' "$tmp/broken.conf" | cut -d: -f1)
rc=0
out=$(ctl check --as "$dest" "$tmp/broken.conf" 2>&1) || rc=$?
if [ "$rc" -ne 1 ] || ! grep -Fq "$dest (checking $tmp/broken.conf):$line: unknown key 'bogus'" <<<"$out"; then
        echo "FAIL: oompolicyctl check --as on a broken drop-in: exit $rc (expected 1), output:"
        echo "$out"
        exit 1
fi
echo "ok: a broken drop-in is refused (exit 1): $(grep -F "unknown key 'bogus'" <<<"$out" | sed "s|$tmp/||g" | cut -c1-100)"
