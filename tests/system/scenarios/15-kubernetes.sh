#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenario 15, Kubernetes: the container image of contrib/kubernetes (built on
# the host by build-image --no-import from the same package, imported here with
# build-image --import) runs under podman the way the DaemonSet runs it, on a
# machine like a node: systemd as PID 1, cgroup v2, full capabilities. From the
# manifest itself: the command (nsenter into the host's cgroup namespace), the
# capabilities (ALL dropped, the listed ones added), no privilege escalation, a
# read-only root, the memory limit, the ConfigMap's drop-ins read-only and the
# state directory; plus the host PID and network namespaces and a cgroup
# namespace of its own, as the container runtime gives one on cgroup v2.
# Proves that the node profile's rules, confined to /system.slice/*, reach the
# host's services (rsyslogd running before the daemon, a "kubelet" service started
# after it, both at their negative values), that the daemon keeps only its
# three capabilities, that the liveness probe and the image's own
# `oompolicyctl check` pass, and that without the nsenter the same rules would
# not match (why the manifest has it).
# needs: base
# timeout: 900
# duration: 200
. ./lib.sh

wait_until 300 system_settled || :
t0=$SECONDS
k8s=$IN/contrib/kubernetes
image=localhost/oompolicyd:systest
work=/run/oomtest-k8s
mkdir -p "$work/run" "$work/dropins"

evidence "podman: $(podman --version), runtime: $(podman info --format '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Version}}' 2>&1 | head -n 1), cgroup $(podman info --format '{{.Host.CgroupsVersion}}' 2>&1)"
# From the guest's own disk: the share is slow to read under TCG.
cp "$IN/oompolicyd-image.tar" /var/tmp/oompolicyd-image.tar
info "tarball copied from the share in $((SECONDS - t0)) s"
t1=$SECONDS
if out=$("$k8s/build-image" --import /var/tmp/oompolicyd-image.tar --tag "$image" 2>&1); then
        pass "build-image --import: the image $image from the host-built tarball ($(du -m /var/tmp/oompolicyd-image.tar | cut -f1) MiB) in $((SECONDS - t1)) s"
        rm -f /var/tmp/oompolicyd-image.tar
else
        fail "build-image --import: $out"
        exit 1
fi

# What the manifest says, read from it: the command, the added capabilities, the
# AppArmor setting, the memory limit; the ConfigMap's drop-ins written out.
python3 - "$k8s" "$work" <<'EOF' || { fail "reading the manifest"; exit 1; }
import os, shlex, sys, yaml
k8s, work = sys.argv[1:3]
ds = next(d for d in yaml.safe_load_all(open(os.path.join(k8s, "daemonset.yaml"))) if d and d["kind"] == "DaemonSet")
cm = yaml.safe_load(open(os.path.join(k8s, "configmap.yaml")))
for key, text in cm["data"].items():
    with open(os.path.join(work, "dropins", key), "w") as f:
        f.write(text)
pod = ds["spec"]["template"]
c = pod["spec"]["containers"][0]
sc = c["securityContext"]
aa = pod["metadata"].get("annotations", {}).get("container.apparmor.security.beta.kubernetes.io/" + c["name"], "")
with open(os.path.join(work, "manifest.sh"), "w") as f:
    f.write("caps=%s\n" % shlex.quote(",".join(sc["capabilities"]["add"])))
    f.write("drop=%s\n" % shlex.quote(",".join(sc["capabilities"]["drop"])))
    f.write("command=(%s)\n" % " ".join(shlex.quote(a) for a in c["command"]))
    f.write("apparmor=%s\n" % shlex.quote(aa))
    f.write("memory=%s\n" % shlex.quote(c["resources"]["limits"]["memory"].replace("Mi", "m")))
    f.write("read_only=%d no_escalation=%d host_pid=%d host_net=%d\n" % (
        sc["readOnlyRootFilesystem"], not sc["allowPrivilegeEscalation"],
        pod["spec"]["hostPID"], pod["spec"]["hostNetwork"]))
EOF
. "$work/manifest.sh"
info "manifest: command ${command[*]}; caps drop $drop add $caps; apparmor '$apparmor'; memory $memory"
expect_eq "the manifest asks for the host PID and network namespaces, a read-only root, no privilege escalation" \
        "1 1 1 1" "$host_pid $host_net $read_only $no_escalation"

# A test rule besides the profile's: a process by name, at a positive value.
value=537
printf '[rule:container-test]\nname = oomk8s-target\noom_score_adj = %s\n' "$value" >"$work/dropins/90-container-test.conf"
cp /bin/sleep /usr/local/bin/oomk8s-target
cp /bin/sleep /usr/local/bin/kubelet

pod_opts=(--pid=host --network=host --cgroupns=private --memory="$memory"
        --cap-drop="$drop" --cap-add="$caps" --read-only
        -v "$work/run:/run/oompolicyd" -v "$work/dropins:/etc/oompolicy.conf.d:ro")
[ "$no_escalation" = 1 ] && pod_opts+=(--security-opt=no-new-privileges)
[ "$apparmor" = unconfined ] && pod_opts+=(--security-opt=apparmor=unconfined)

# rsyslogd, not sshd: OpenSSH sets its listener to -1000 itself.
rsyslogd=$(main_pid rsyslog.service)
before_rsyslogd=$(adj_of "$rsyslogd")
/usr/local/bin/oomk8s-target 3600 &
target_before=$!

# start_pod NAME COMMAND...: the DaemonSet's container; waits for its state.json.
start_pod() {
        local name=$1
        shift
        rm -f "$work/run/state.json"
        podman run -d --name "$name" "${pod_opts[@]}" "$image" "$@" >/dev/null 2>"$work/run.err" || {
                fail "podman run $name: $(cat "$work/run.err")"
                return 1
        }
        wait_until 120 test -s "$work/run/state.json" || {
                fail "$name: no state.json within 120 s; its log: $(podman logs "$name" 2>&1 | tail -n 5 | tr '\n' ' ')"
                return 1
        }
}
# stop_pod NAME: as the kubelet does (SIGTERM); the exit status.
stop_pod() {
        podman stop -t 30 "$1" >/dev/null
        podman inspect --format '{{.State.ExitCode}}' "$1"
}

t1=$SECONDS
start_pod oompolicyd "${command[@]}" || exit 1
pass "the DaemonSet's container started and published state.json in $((SECONDS - t1)) s"
daemon=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["pid"])' "$work/run/state.json")

check "rsyslogd (running before the daemon, in /system.slice/rsyslog.service) gets the profile's -900 (it had $before_rsyslogd)" \
        adj_becomes "$rsyslogd" -900 60
check "a host process running before the daemon gets the test rule's $value" adj_becomes "$target_before" "$value" 60
systemd-run --quiet --unit=kubelet.service /usr/local/bin/kubelet 3600
kubelet=$(main_pid kubelet.service)
check "a kubelet service started after the daemon (the proc connector) gets the profile's -999" adj_becomes "$kubelet" -999 60
/usr/local/bin/oomk8s-target 3600 &
target_after=$!
check "a host process started after the daemon gets $value" adj_becomes "$target_after" "$value" 60

expect_eq "the daemon (host PID $daemon) runs in the host's cgroup namespace (nsenter)" \
        "$(readlink /proc/1/ns/cgroup)" "$(readlink "/proc/$daemon/ns/cgroup")"
check "the daemon runs in the container's mount namespace" test "$(readlink "/proc/$daemon/ns/mnt")" != "$(readlink /proc/1/ns/mnt)"
capeff=$(sed -n 's/^CapEff:[[:space:]]*//p' "/proc/$daemon/status")
# DAC_OVERRIDE (1), SYS_PTRACE (19), SYS_RESOURCE (24): NET_ADMIN and SYS_ADMIN are dropped once subscribed.
expect_eq "after start the daemon's effective capabilities are DAC_OVERRIDE, SYS_PTRACE, SYS_RESOURCE" \
        "$(printf '%016x' $(( (1 << 1) | (1 << 19) | (1 << 24) )))" "$capeff"
check "no_new_privs is set" grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$daemon/status"
evidence "kubernetes: daemon in the container: CapEff $capeff, $(grep VmRSS "/proc/$daemon/status" | tr -s ' \t' ' '), cgroup $(cat "/proc/$daemon/cgroup")"

if out=$(podman exec oompolicyd /usr/bin/oompolicyctl status 2>&1); then
        pass "oompolicyctl status (the liveness probe) succeeds in the container"
        info "$out"
else
        fail "oompolicyctl status in the container: $out"
fi
check "the daemon logs to the container log" sh -c 'podman logs oompolicyd 2>&1 | grep -q "Started:"'
expect_eq "podman stop (SIGTERM, as the kubelet): the daemon exits 0" 0 "$(stop_pod oompolicyd)"

if out=$(podman run --rm --network=none "$image" oompolicyctl check --no-pager 2>&1); then
        pass "the image's own oompolicyctl check passes"
else
        fail "the image's oompolicyctl check: $out"
fi
if out=$(podman run --rm --network=none -v "$work/dropins:/etc/oompolicy.conf.d:ro" "$image" oompolicyctl check --no-pager 2>&1); then
        pass "oompolicyctl check passes with the ConfigMap's drop-ins"
else
        fail "oompolicyctl check with the ConfigMap's drop-ins: $out"
fi

# Why the manifest enters the host's cgroup namespace: in the container's own,
# a host service's cgroup reads /../../system.slice/NAME.service and no
# /system.slice/* rule matches. The daemon without the nsenter, and a kubelet
# started after it: it keeps the value it was started with.
systemctl stop kubelet.service
start_pod oompolicyd-no-nsenter /usr/sbin/oompolicyd --log-target=console || exit 1
systemd-run --quiet --unit=kubelet.service /usr/local/bin/kubelet 3600
kubelet=$(main_pid kubelet.service)
/usr/local/bin/oomk8s-target 3600 &
target_control=$!
# The name rule (no cgroup) still applies: once it has, the daemon has seen the kubelet's exec too.
check "without the nsenter a rule without cgroup still applies ($value)" adj_becomes "$target_control" "$value" 60
cg=$(podman exec oompolicyd-no-nsenter cat "/proc/$kubelet/cgroup" 2>&1)
info "kubelet's cgroup as the container sees it: $cg"
expect_eq "without the nsenter the kubelet (cgroup '$cg' inside) is not matched: it keeps 0" 0 "$(adj_of "$kubelet")"
stop_pod oompolicyd-no-nsenter >/dev/null

kill "$target_before" "$target_after" "$target_control" 2>/dev/null || :
systemctl stop kubelet.service
info "scenario took $((SECONDS - t0)) s"
