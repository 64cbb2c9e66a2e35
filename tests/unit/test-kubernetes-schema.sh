#!/bin/bash
# SPDX-License-Identifier: MIT
# contrib/kubernetes/validate-manifest: the manifests pass the Kubernetes API
# schema of the packaged client (python3-kubernetes), and the validator fails
# where it must: copies of the manifests with one thing broken each (an unknown
# field, a wrong type, a list for a map, a required field missing, a duplicate
# key, a bad quantity...) give exactly the one error expected, at its path and
# line; the variants the API accepts (an annotation, integer-or-string and
# quantity fields written either way) pass.
set -euo pipefail

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
k8s=$srcdir/contrib/kubernetes

# The client is a Debian package: the system's python3 has it when a python3
# earlier in PATH (a virtualenv, pyenv) does not.
py=
for p in python3 /usr/bin/python3; do
        if "$p" -c 'import yaml, kubernetes.client' 2>/dev/null; then
                py=$p
                break
        fi
done
[ -n "$py" ] || { echo "SKIP: no python3 with the modules kubernetes and yaml (Debian: python3-kubernetes, python3-yaml)"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The real manifests, through the command line.
"$py" "$k8s/validate-manifest" "$k8s/daemonset.yaml" "$k8s/configmap.yaml" >"$tmp/out" 2>&1 || {
        cat "$tmp/out" >&2
        echo "FAIL: contrib/kubernetes/daemonset.yaml or configmap.yaml does not pass the schema" >&2
        exit 1
}
cat "$tmp/out"
grep -q '^.*daemonset.yaml: valid (Namespace oompolicyd, DaemonSet oompolicyd)' "$tmp/out"
grep -q '^.*configmap.yaml: valid (ConfigMap oompolicyd-policy)' "$tmp/out"
echo "ok: daemonset.yaml and configmap.yaml pass the schema"

# The command line fails too: 1 with FILE:LINE: PATH: error, 2 for a file it cannot read.
sed 's/^\(      hostPID:\) true$/\1 "yes"/' "$k8s/daemonset.yaml" >"$tmp/bad.yaml"
line=$(grep -n '^      hostPID: "yes"$' "$tmp/bad.yaml" | cut -d: -f1)
rc=0
"$py" "$k8s/validate-manifest" "$tmp/bad.yaml" >"$tmp/out" 2>&1 || rc=$?
if [ "$rc" -ne 1 ] || ! grep -qxF "$tmp/bad.yaml:$line: spec.template.spec.hostPID: expected a boolean, got a string (\"yes\")" "$tmp/out"; then
        cat "$tmp/out" >&2
        echo "FAIL: validate-manifest exited $rc for hostPID: \"yes\", without the error expected" >&2
        exit 1
fi
echo "ok: the command line exits 1 and names FILE:LINE and the path"
rc=0
"$py" "$k8s/validate-manifest" "$tmp/missing.yaml" >"$tmp/out" 2>&1 || rc=$?
[ "$rc" -eq 2 ] || { cat "$tmp/out" >&2; echo "FAIL: validate-manifest exited $rc for a missing file, not 2" >&2; exit 1; }
echo "ok: a file it cannot read: exit 2"

# The broken copies, in one process (the client takes a second to import).
"$py" - "$k8s" "$tmp" <<'EOF'
import copy, importlib.machinery, importlib.util, os, re, sys, yaml

k8s, tmp = sys.argv[1:3]
loader = importlib.machinery.SourceFileLoader("validate_manifest", os.path.join(k8s, "validate-manifest"))
spec = importlib.util.spec_from_loader("validate_manifest", loader)
vm = importlib.util.module_from_spec(spec)
loader.exec_module(vm)
from kubernetes.client import models

failures = []

def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures.append(what)

# Each table entry names a field the installed client has, with the type the
# table overrides (the stable V1 ones must all be there).
wrong = []
for table, types in ((vm.INT_OR_STRING, ("object",)), (vm.QUANTITY, ("str", "dict(str, str)"))):
    for model, attr in sorted(table):
        klass = getattr(models, model, None)
        if klass is None and re.match(r"V[0-9]+(alpha|beta)", model):
            continue
        if klass is None or klass.openapi_types.get(attr) not in types:
            wrong.append("%s.%s" % (model, attr))
check(not wrong, "the integer-or-string and quantity fields are typed object, str or dict(str, str) in the client"
      + (" (not: %s)" % ", ".join(wrong) if wrong else ""))

ds_text = open(os.path.join(k8s, "daemonset.yaml")).read()
cm_text = open(os.path.join(k8s, "configmap.yaml")).read()
ds_docs = list(yaml.safe_load_all(ds_text))
cm_docs = list(yaml.safe_load_all(cm_text))

def errors_of(text, name):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    v = vm.Validator(path)
    v.run()
    # FILE:LINE: removed, the line checked apart where it matters.
    return [e[len(path) + 1:].split(": ", 1) for e in v.errors]

def variant(what, mutate, want, docs=ds_docs, kind="DaemonSet"):
    """A copy of the manifest changed by mutate(doc of kind) gives exactly
    the error want (its start), or none when want is None."""
    docs = copy.deepcopy(docs)
    mutate(next(d for d in docs if d and d["kind"] == kind))
    errs = [e for _, e in errors_of(yaml.safe_dump_all(docs), "variant.yaml")]
    if want is None:
        check(errs == [], "%s: valid%s" % (what, " (got: %s)" % "; ".join(errs) if errs else ""))
    else:
        ok = len(errs) == 1 and errs[0].startswith(want)
        check(ok, "%s: the error %s%s" % (what, want, "" if ok else " (got: %s)" % ("; ".join(errs) or "none")))

pod = lambda d: d["spec"]["template"]["spec"]
ctr = lambda d: pod(d)["containers"][0]

def setter(get, key, value):
    return lambda d: get(d).__setitem__(key, value)

def deleter(get, key):
    return lambda d: get(d).pop(key)

# What the API accepts.
variant("the AppArmor annotation in the pod template",
        setter(lambda d: d["spec"]["template"]["metadata"], "annotations",
               {"container.apparmor.security.beta.kubernetes.io/oompolicyd": "unconfined"}), None)
variant('maxUnavailable: "10%" (integer or string)',
        setter(lambda d: d["spec"]["updateStrategy"]["rollingUpdate"], "maxUnavailable", "10%"), None)
variant("a memory limit as a plain integer, a CPU request as 0.5 and as 1e-2 (quantities)",
        lambda d: (ctr(d)["resources"]["limits"].__setitem__("memory", 33554432),
                   ctr(d)["resources"]["requests"].__setitem__("cpu", 0.5),
                   ctr(d)["resources"].__setitem__("limits", dict(ctr(d)["resources"]["limits"], cpu="1e-2"))), None)
variant("a liveness probe on a named port (integer or string)",
        lambda d: ctr(d).__setitem__("livenessProbe", {"httpGet": {"port": "metrics", "path": "/"}}), None)

# What it refuses.
variant("an unknown field in the securityContext",
        setter(lambda d: ctr(d)["securityContext"], "foo", 1),
        "spec.template.spec.containers[0].securityContext.foo: unknown field (V1SecurityContext has: "
        "allowPrivilegeEscalation, capabilities, privileged,")
variant("an unknown top-level field",
        setter(lambda d: d, "specs", {}),
        "specs: unknown field (V1DaemonSet has: apiVersion, kind, metadata, spec, status)")
variant('hostPID: "yes"', setter(pod, "hostPID", "yes"),
        'spec.template.spec.hostPID: expected a boolean, got a string ("yes")')
variant("a list for matchLabels (a map)",
        setter(lambda d: d["spec"]["selector"], "matchLabels", ["app.kubernetes.io/name"]),
        "spec.selector.matchLabels: expected a map, got a list")
variant("a map for tolerations (a list)", setter(pod, "tolerations", {"operator": "Exists"}),
        "spec.template.spec.tolerations: expected a list, got a map")
variant("a list for the securityContext (an object)", setter(ctr, "securityContext", []),
        "spec.template.spec.containers[0].securityContext: expected a map (V1SecurityContext), got a list")
variant("containers[0] without a name", deleter(ctr, "name"),
        "spec.template.spec.containers[0].name: required field missing (in V1Container)")
variant("a DaemonSet without a selector", deleter(lambda d: d["spec"], "selector"),
        "spec.selector: required field missing (in V1DaemonSetSpec)")
variant("an integer for the image (a string)", setter(ctr, "image", 1),
        "spec.template.spec.containers[0].image: expected a string, got an integer (1)")
variant('terminationGracePeriodSeconds: "30" (an integer)', setter(pod, "terminationGracePeriodSeconds", "30"),
        'spec.template.spec.terminationGracePeriodSeconds: expected an integer, got a string ("30")')
variant("an integer annotation value (a string)",
        setter(lambda d: d["spec"]["template"]["metadata"], "annotations", {"n": 1}),
        "spec.template.metadata.annotations.n: expected a string, got an integer (1)")
variant("maxUnavailable: 1.5 (an integer or a string)",
        setter(lambda d: d["spec"]["updateStrategy"]["rollingUpdate"], "maxUnavailable", 1.5),
        "spec.updateStrategy.rollingUpdate.maxUnavailable: expected an integer or a string, got a number (1.5)")
variant("memory: 32MB (not a quantity)", setter(lambda d: ctr(d)["resources"]["limits"], "memory", "32MB"),
        "spec.template.spec.containers[0].resources.limits.memory: not a quantity: '32MB'")
variant("a kind the schema does not have", setter(lambda d: d, "kind", "DaemonSets"),
        "kind: apps/v1 DaemonSets is not in the schema")
variant("a Namespace without a name", deleter(lambda d: d["metadata"], "name"),
        "metadata: a name is required", kind="Namespace")
variant("an integer in the ConfigMap's data (a string)", setter(lambda d: d["data"], "n", 1),
        "data.n: expected a string, got an integer (1)", docs=cm_docs, kind="ConfigMap")
# y is a boolean to the API's YAML reader (go-yaml v2), a string to PyYAML,
# which writes it unquoted.
variant("an unquoted y in the ConfigMap's data (a boolean there)", setter(lambda d: d["data"], "flag", "y"),
        "data.flag: expected a string, got a boolean (y)", docs=cm_docs, kind="ConfigMap")

# Edits of the text itself: a duplicate key, and the line an error names.
def text_variant(what, old, new, want_path, want):
    check(ds_text.count(old) == 1, "%s: the line to change is in daemonset.yaml once" % what)
    text = ds_text.replace(old, new)
    line = text[:text.index(new) + len(new)].count("\n")
    errs = errors_of(text, "text.yaml")
    ok = len(errs) == 1 and errs[0][0] == "%d" % line and errs[0][1].startswith(want_path + ": " + want)
    check(ok, "%s: the error at line %d, %s: %s%s" % (what, line, want_path, want, "" if ok else " (got: %s)"
                                                      % ("; ".join(":".join(e) for e in errs) or "none")))

text_variant("a second hostPID", "      hostPID: true\n", "      hostPID: true\n      hostPID: false\n",
             "spec.template.spec", "duplicate key hostPID (first at line")
text_variant("an unknown field after readOnlyRootFilesystem", "            readOnlyRootFilesystem: true\n",
             "            readOnlyRootFilesystem: true\n            readOnlyRootFs: true\n",
             "spec.template.spec.containers[0].securityContext.readOnlyRootFs", "unknown field (V1SecurityContext has:")

sys.exit(1 if failures else 0)
EOF
