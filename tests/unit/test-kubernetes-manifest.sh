#!/bin/bash
# SPDX-License-Identifier: MIT
# contrib/kubernetes without a cluster. The API schema (field names, types,
# required fields) is test-kubernetes-schema.sh's (contrib/kubernetes/
# validate-manifest, on the models of python3-kubernetes); this checks what
# the schema cannot:
#   - configmap.yaml is exactly what gen-configmap makes of the profile, and
#     carries conf/profiles/kubernetes-node.conf byte for byte;
#   - the YAML parses; kinds, apiVersions, names, namespaces and the selector;
#   - the security properties the node protection depends on: hostPID,
#     hostNetwork, system-node-critical, a toleration for every taint, no
#     privileged, AppArmor unconfined (by the annotation naming the container),
#     no privilege escalation, a read-only root, ALL capabilities
#     dropped and exactly the needed ones added (the daemon's own list in
#     src/daemon/caps.c among them), the state directory and the drop-ins
#     mounted, resources and a liveness probe set;
#   - the policy the container gets (the package's main file plus the
#     ConfigMap's drop-ins) passes `oompolicyctl check`.
set -euo pipefail

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir}
k8s=$srcdir/contrib/kubernetes

python3 -c 'import yaml' 2>/dev/null || { echo "SKIP: python3 has no yaml module (Debian: python3-yaml)"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$k8s/gen-configmap" "$srcdir/conf/profiles/kubernetes-node.conf" >"$tmp/configmap.yaml"
if ! diff -u "$k8s/configmap.yaml" "$tmp/configmap.yaml"; then
        echo "FAIL: contrib/kubernetes/configmap.yaml differs from the profile; run:" >&2
        echo "  contrib/kubernetes/gen-configmap > contrib/kubernetes/configmap.yaml" >&2
        exit 1
fi
echo "ok: configmap.yaml is generated from the current profile"

# A profile with a line gen-configmap cannot carry is refused, not mangled.
printf '[rule:x]\nname = x \n' >"$tmp/bad.conf"
if "$k8s/gen-configmap" "$tmp/bad.conf" >/dev/null 2>"$tmp/err"; then
        echo "FAIL: gen-configmap accepted a line with a trailing blank" >&2
        exit 1
fi
grep -q 'bad.conf' "$tmp/err"
echo "ok: gen-configmap refuses a profile it would change"

python3 - "$k8s" "$srcdir" "$tmp" <<'EOF'
import os, re, sys, yaml

k8s, srcdir, tmp = sys.argv[1:4]
failures = []

def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures.append(what)

docs = [d for f in ("daemonset.yaml", "configmap.yaml")
        for d in yaml.safe_load_all(open(os.path.join(k8s, f))) if d is not None]
by_kind = {d["kind"]: d for d in docs}
check(sorted(by_kind) == ["ConfigMap", "DaemonSet", "Namespace"], "one Namespace, one DaemonSet, one ConfigMap")
check(by_kind["Namespace"]["apiVersion"] == "v1", "Namespace is v1")
check(by_kind["ConfigMap"]["apiVersion"] == "v1", "ConfigMap is v1")
check(by_kind["DaemonSet"]["apiVersion"] == "apps/v1", "DaemonSet is apps/v1")
ns = by_kind["Namespace"]["metadata"]["name"]
check(all(by_kind[k]["metadata"].get("namespace") == ns for k in ("DaemonSet", "ConfigMap")),
      "DaemonSet and ConfigMap are in the namespace " + ns)

ds = by_kind["DaemonSet"]["spec"]
pod = ds["template"]["spec"]
labels = ds["template"]["metadata"]["labels"]
check(all(labels.get(k) == v for k, v in ds["selector"]["matchLabels"].items()), "the selector matches the pod labels")
check(pod.get("hostPID") is True, "hostPID: true (the proc connector and the host's processes)")
check(pod.get("hostNetwork") is True, "hostNetwork: true (the proc connector)")
check(pod.get("priorityClassName") == "system-node-critical", "priorityClassName: system-node-critical")
check(any(t.get("operator") == "Exists" and "key" not in t and "effect" not in t for t in pod.get("tolerations", [])),
      "a toleration with operator Exists, no key and no effect (every taint)")
check(pod.get("automountServiceAccountToken") is False, "no service account token")

check(len(pod["containers"]) == 1, "one container")
c = pod["containers"][0]
sc = c["securityContext"]
check(sc.get("privileged", False) is False, "not privileged")
annotations = ds["template"]["metadata"].get("annotations", {})
check(annotations.get("container.apparmor.security.beta.kubernetes.io/" + c["name"]) == "unconfined",
      "AppArmor unconfined for the container %s (ptrace read of host processes, /proc/1/ns/cgroup)" % c["name"])
check(sc.get("allowPrivilegeEscalation") is False, "allowPrivilegeEscalation: false")
check(sc.get("readOnlyRootFilesystem") is True, "readOnlyRootFilesystem: true")
check(sc.get("seccompProfile", {}).get("type") == "RuntimeDefault", "seccomp RuntimeDefault")
caps = sc.get("capabilities", {})
check(caps.get("drop") == ["ALL"], "capabilities: drop ALL")
added = set(caps.get("add", []))
want = {"SYS_RESOURCE", "DAC_OVERRIDE", "SYS_PTRACE", "NET_ADMIN", "SYS_ADMIN"}
check(added == want, "capabilities added: exactly " + " ".join(sorted(want)) + " (got " + " ".join(sorted(added)) + ")")
# The daemon's own list: whatever caps.c keeps must be granted.
caps_c = open(os.path.join(srcdir, "src/daemon/caps.c")).read()
kept = set(re.findall(r"^\s*CAP_([A-Z_]+),", caps_c.split("kept[] = {", 1)[1].split("};", 1)[0], re.M))
check(kept and kept <= added, "every capability src/daemon/caps.c keeps is added (" + " ".join(sorted(kept)) + ")")
# And nothing beyond the unit's bounding set but SYS_ADMIN (the cgroup namespace).
unit = open(os.path.join(srcdir, "units/oompolicyd.service.in")).read()
bounding = set(re.findall(r"CAP_([A-Z_]+)", re.search(r"^CapabilityBoundingSet=(.*)$", unit, re.M).group(1)))
check(added - bounding == {"SYS_ADMIN"}, "beyond the unit's CapabilityBoundingSet only SYS_ADMIN")
check(c["command"][:2] == ["/usr/bin/nsenter", "--cgroup=/proc/1/ns/cgroup"] and "/usr/sbin/oompolicyd" in c["command"],
      "the daemon starts in the host's cgroup namespace")

mounts = {m["mountPath"]: m for m in c.get("volumeMounts", [])}
vols = {v["name"]: v for v in pod.get("volumes", [])}
run = mounts.get("/run/oompolicyd")
check(run is not None and "emptyDir" in vols.get(run["name"], {}), "/run/oompolicyd is an emptyDir (the only write)")
pol = mounts.get("/etc/oompolicy.conf.d")
check(pol is not None and pol.get("readOnly") is True and
      vols.get(pol["name"], {}).get("configMap", {}).get("name") == by_kind["ConfigMap"]["metadata"]["name"],
      "the ConfigMap is mounted read-only at /etc/oompolicy.conf.d")
res = c.get("resources", {})
check("memory" in res.get("requests", {}) and "memory" in res.get("limits", {}) and "cpu" in res.get("requests", {}),
      "memory request and limit, cpu request")
check("exec" in c.get("livenessProbe", {}), "an exec liveness probe")

data = by_kind["ConfigMap"]["data"]
profile = open(os.path.join(srcdir, "conf/profiles/kubernetes-node.conf")).read()
check(data.get("60-kubernetes-node.conf") == profile, "the ConfigMap carries the profile byte for byte")

# The policy as the container sees it, for oompolicyctl check.
os.makedirs(os.path.join(tmp, "policy", "oompolicy.conf.d"))
with open(os.path.join(tmp, "policy", "oompolicy.conf"), "w") as f:
    f.write(open(os.path.join(srcdir, "conf/oompolicy.conf")).read())
for name, text in data.items():
    check(name.endswith(".conf"), "ConfigMap key %s is a drop-in name" % name)
    with open(os.path.join(tmp, "policy", "oompolicy.conf.d", name), "w") as f:
        f.write(text)
sys.exit(1 if failures else 0)
EOF

"$builddir/src/oompolicyctl" check --no-pager --config "$tmp/policy/oompolicy.conf" >"$tmp/check.out" 2>&1 || {
        cat "$tmp/check.out" >&2
        echo "FAIL: oompolicyctl check rejects the container's policy" >&2
        exit 1
}
echo "ok: the container's policy (package main file + the ConfigMap's drop-ins) passes oompolicyctl check"
