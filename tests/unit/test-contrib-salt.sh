#!/bin/bash
# SPDX-License-Identifier: MIT
# The Salt state of contrib/salt, as far as it can be checked without Salt
# (not packaged in Debian 12): rendered with Jinja the way Salt renders an SLS
# (pillar from pillar.example), it is YAML with the states and documented
# options it should have (file.managed with check_cmd, service.running with
# reload and watch); its drop-in template renders a policy oompolicyctl accepts.
set -euo pipefail

. "$(dirname "$0")/contrib-lib.sh"
contrib_require "python3 lacks yaml or jinja2 (Debian packages python3-yaml, python3-jinja2)" \
        python3 -c 'import yaml, jinja2'

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

# As the tool runs it: the state's check_cmd with the temporary file appended,
# the rendered file checked as if installed at its final path, on top of the
# vendor policy (needs root). Only the program and the installed path point
# into the test's tree.
read -ra argv <"$tmp/check_cmd"
if [ "${#argv[@]}" -ne 4 ] || [ "${argv[0]}" != /usr/bin/oompolicyctl ] || [ "${argv[3]}" != /etc/oompolicy.conf.d/50-salt.conf ]; then
        echo "FAIL: unexpected check_cmd: ${argv[*]}"
        exit 1
fi
contrib_check_as salt "$tmp/dropin.conf" "${argv[1]}" "${argv[2]}"
