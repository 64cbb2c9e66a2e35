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

python3 - "$srcdir/contrib/salt" "$tmp/dropin.conf" <<'EOF'
import json, os, sys
import jinja2, yaml

salt_dir, out = sys.argv[1], sys.argv[2]
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

if [ "$(id -u)" -ne 0 ]; then
        echo "skip: checking the rendered drop-in with oompolicyctl needs root (policy files must be root's)"
        exit 0
fi
mkdir -p "$tmp/policy/oompolicy.conf.d"
cp "$srcdir/conf/oompolicy.conf" "$tmp/policy/oompolicy.conf"
cp "$tmp/dropin.conf" "$tmp/policy/oompolicy.conf.d/50-salt.conf"
if ! out=$("$builddir/src/oompolicyctl" --config "$tmp/policy/oompolicy.conf" check 2>&1); then
        echo "FAIL: oompolicyctl check refuses the rendered drop-in on top of the vendor policy:"
        echo "$out"
        exit 1
fi
echo "ok: oompolicyctl check accepts the rendered drop-in on top of the vendor policy"
