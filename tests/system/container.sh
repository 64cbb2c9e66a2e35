#!/bin/bash
# SPDX-License-Identifier: MIT
# The container image of contrib/kubernetes, run for real on this machine with
# podman, the way the DaemonSet runs it: the host's PID and network namespaces,
# a cgroup namespace of its own left with nsenter, ALL capabilities dropped but
# the manifest's, no new privileges, a read-only root with the state directory
# writable, the ConfigMap's drop-ins mounted read-only. Proves that a host
# process matching a rule gets the rule's value, both one running before the
# daemon (the start-up scan) and one started after it (the proc connector), that
# `oompolicyctl status` works in the container (the liveness probe) and that the
# image's own `oompolicyctl check` passes.
#
#   tests/system/container.sh --deb FILE [--cache DIR]
#
# NOT YET WIRED INTO ANY SUITE: on the dev host (Debian 12, cgroup v1 hybrid, no
# CAP_SYS_RESOURCE) it gets as far as starting the daemon, whose nsenter then
# fails: "cannot open /proc/1/ns/cgroup: Permission denied" (not yet diagnosed;
# podman's AppArmor profile is the first suspect). Run it by hand. Prints PASS:,
# FAIL: and SKIP: lines; exits 0, 1, or 77 when this machine cannot run it.
set -euo pipefail
system_dir=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$system_dir/../.." && pwd)

deb= cache=${OOMPOLICYD_CONTAINER_CACHE:-/var/cache/oompolicyd-container-tests}
while [ $# -gt 0 ]; do
        case "$1" in
                --deb) deb=$2; shift 2 ;;
                --cache) cache=$2; shift 2 ;;
                *) echo "container.sh: unknown argument '$1'" >&2; exit 2 ;;
        esac
done
[ -n "$deb" ] || { echo "container.sh: --deb FILE is required" >&2; exit 2; }

skip() { echo "SKIP: container: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (podman with the host's PID namespace, mmdebstrap)"
command -v podman >/dev/null || skip "podman is not installed (tools/install-deps)"
command -v mmdebstrap >/dev/null || skip "mmdebstrap is not installed (tools/install-deps)"
python3 -c 'import yaml' 2>/dev/null || skip "python3 has no yaml module (python3-yaml)"

failed=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failed=1; }

tmp=$(mktemp -d /var/tmp/oompolicyd-container.XXXXXX)
# podman with storage and state of its own in $tmp (build-image's podman import
# too, through the same environment): nothing of the machine's podman is
# touched, and removing $tmp removes every image and container made here.
# cgroupfs and the file events backend: no systemd and no journald needed.
mkdir -p "$tmp/storage" "$tmp/runroot" "$tmp/podman-tmp"
cat >"$tmp/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$tmp/storage"
runroot = "$tmp/runroot"
EOF
cat >"$tmp/containers.conf" <<EOF
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$tmp/events.log"
tmp_dir = "$tmp/podman-tmp"
EOF
export CONTAINERS_STORAGE_CONF=$tmp/storage.conf CONTAINERS_CONF=$tmp/containers.conf
# crun (Debian 12) refuses a hybrid cgroup host; runc works. Lower rlimits: raising
# them needs CAP_SYS_RESOURCE, which some hosts (this CI host) lack.
pm() { podman "$@"; }
run_opts=(--runtime=runc --ulimit=nofile=4096:4096 --ulimit=nproc=4096:4096)
name=oompolicyd-test-$$
image=localhost/oompolicyd-test:$$
targets=()
cleanup() {
        local pid
        for pid in "${targets[@]}"; do kill "$pid" 2>/dev/null || :; done
        pm rm -f -t 5 "$name" >/dev/null 2>&1 || :
        pm rmi -f "$image" >/dev/null 2>&1 || :
        # overlay mounts of the private storage, if any are left, before removing it
        grep -o " $tmp/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || :; done
        rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/run" "$tmp/dropins"

started=$SECONDS
"$top/contrib/kubernetes/build-image" --deb "$deb" --cache "$cache" --tag "$image" --tarball "$tmp/rootfs.tar" \
        >"$tmp/build.log" 2>&1 || {
        tail -n 20 "$tmp/build.log"
        fail "container: building the image failed"
        exit 1
}
rm -f "$tmp/rootfs.tar"
echo "   image built in $((SECONDS - started)) s"

# Can podman run a container here at all? If not, say why and skip.
if ! out=$(pm run --rm "${run_opts[@]}" --network=host "$image" /bin/true 2>&1); then
        skip "podman cannot run a container on this machine: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
fi

# The manifest's own settings: the command, the capabilities, the mounts.
read_manifest() {
        python3 - "$top/contrib/kubernetes" "$tmp/dropins" <<'EOF'
import os, sys, yaml
k8s, dropins = sys.argv[1:3]
ds = next(d for d in yaml.safe_load_all(open(os.path.join(k8s, "daemonset.yaml"))) if d and d["kind"] == "DaemonSet")
cm = yaml.safe_load(open(os.path.join(k8s, "configmap.yaml")))
for key, text in cm["data"].items():
    with open(os.path.join(dropins, key), "w") as f:
        f.write(text)
c = ds["spec"]["template"]["spec"]["containers"][0]
print(",".join(c["securityContext"]["capabilities"]["add"]))
print(" ".join(c["command"]))  # no argument holds a blank
EOF
}
{ read -r caps; IFS= read -r command_line; } < <(read_manifest)
read -r -a command <<<"$command_line"

# This machine's bounding set lacks CAP_SYS_RESOURCE: a container cannot get it,
# and the proof uses a positive value (raising needs no capability).
if ! grep -q '^CapBnd:' /proc/self/status || [ $(( 0x$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status) >> 24 & 1 )) -eq 0 ]; then
        echo "   note: this machine has no CAP_SYS_RESOURCE; the container runs without it and the rule raises"
        caps=$(echo "$caps" | tr ',' '\n' | grep -vx SYS_RESOURCE | paste -sd, -)
fi
value=537
cat >"$tmp/dropins/90-container-test.conf" <<EOF
[rule:container-test]
name = oomk8s-target
oom_score_adj = $value
EOF

# A host process running before the daemon starts.
cp /bin/sleep "$tmp/oomk8s-target"
"$tmp/oomk8s-target" 600 &
targets+=($!)
before=$!

pm run -d "${run_opts[@]}" --name "$name" --pid=host --network=host --cgroupns=private \
        --cap-drop=all --cap-add="$caps" --security-opt=no-new-privileges \
        --read-only --read-only-tmpfs=false \
        -v "$tmp/run:/run/oompolicyd" -v "$tmp/dropins:/etc/oompolicy.conf.d:ro" \
        "$image" "${command[@]}" >/dev/null 2>"$tmp/run.err" || {
        cat "$tmp/run.err"
        fail "container: podman run failed"
        exit 1
}

wait_for() { # SECONDS COMMAND...: true once COMMAND succeeds
        local deadline=$((SECONDS + $1)); shift
        while ! "$@"; do
                [ "$SECONDS" -lt "$deadline" ] || return 1
                sleep 0.2
        done
}
is_value() { [ "$(cat "/proc/$1/oom_score_adj" 2>/dev/null)" = "$2" ]; }

if wait_for 60 test -s "$tmp/run/state.json"; then
        pass "container: the daemon started and published state.json"
else
        fail "container: no state.json within 60 s; its log:"
        pm logs "$name" 2>&1 | tail -n 20 | sed 's/^/     | /'
        exit 1
fi
daemon=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["pid"])' "$tmp/run/state.json")

if wait_for 60 is_value "$before" "$value"; then
        pass "container: host process $before (running before the daemon) got oom_score_adj $value"
else
        fail "container: host process $before has oom_score_adj $(cat "/proc/$before/oom_score_adj"), not $value"
fi
"$tmp/oomk8s-target" 600 &
targets+=($!)
after=$!
if wait_for 60 is_value "$after" "$value"; then
        pass "container: host process $after (started after the daemon) got oom_score_adj $value"
else
        fail "container: host process $after has oom_score_adj $(cat "/proc/$after/oom_score_adj"), not $value"
fi

# Where the daemon runs: the host's cgroup namespace (nsenter), its own mount
# namespace, the capabilities it keeps.
if [ "$(readlink "/proc/$daemon/ns/cgroup")" = "$(readlink /proc/1/ns/cgroup)" ] &&
   [ "$(readlink "/proc/$daemon/ns/mnt")" != "$(readlink /proc/1/ns/mnt)" ]; then
        pass "container: the daemon (host PID $daemon) runs in the host's cgroup namespace, in the container's mounts"
else
        fail "container: the daemon's namespaces: cgroup $(readlink "/proc/$daemon/ns/cgroup") (host: $(readlink /proc/1/ns/cgroup))"
fi
capeff=$(sed -n 's/^CapEff:[[:space:]]*//p' "/proc/$daemon/status")
capbnd=$(sed -n 's/^CapBnd:[[:space:]]*//p' "/proc/$daemon/status")
echo "   the daemon's capabilities: effective $capeff, bounding $capbnd; $(grep VmRSS "/proc/$daemon/status" | tr -s ' \t' ' ')"
# Effective after start: at most DAC_OVERRIDE (1), SYS_PTRACE (19), SYS_RESOURCE (24).
if [ $(( 0x$capeff & ~((1 << 1) | (1 << 19) | (1 << 24)) )) -eq 0 ]; then
        pass "container: after start the daemon keeps no capability but DAC_OVERRIDE, SYS_PTRACE, SYS_RESOURCE (NET_ADMIN, SYS_ADMIN gone)"
else
        fail "container: the daemon's effective capabilities $capeff hold more than DAC_OVERRIDE, SYS_PTRACE, SYS_RESOURCE"
fi
if grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$daemon/status"; then
        pass "container: no_new_privs is set"
else
        fail "container: no_new_privs is not set"
fi

if out=$(pm exec "$name" /usr/bin/oompolicyctl status 2>&1) && echo "$out" | grep -q 'proc connector'; then
        pass "container: oompolicyctl status (the liveness probe) succeeds in the container: $(echo "$out" | grep -m1 'process events')"
else
        fail "container: oompolicyctl status in the container: $out"
fi
if out=$(pm logs "$name" 2>&1) && echo "$out" | grep -q 'Started:'; then
        pass "container: the daemon logs to stderr (the container log): $(echo "$out" | grep -m1 'Started:')"
else
        fail "container: no 'Started:' in the container log: $(echo "$out" | tail -n 5)"
fi

if out=$(pm run --rm "${run_opts[@]}" --network=none "$image" oompolicyctl check --no-pager 2>&1); then
        pass "container: the image's own oompolicyctl check passes"
else
        fail "container: the image's oompolicyctl check: $(echo "$out" | tail -n 5)"
fi
if out=$(pm run --rm "${run_opts[@]}" --network=none -v "$tmp/dropins:/etc/oompolicy.conf.d:ro" "$image" oompolicyctl check --no-pager 2>&1); then
        pass "container: oompolicyctl check passes with the ConfigMap's drop-ins"
else
        fail "container: oompolicyctl check with the ConfigMap's drop-ins: $(echo "$out" | tail -n 5)"
fi

# SIGTERM (podman stop, the kubelet): a clean exit, the state removed.
pm stop -t 30 "$name" >/dev/null
status=$(pm inspect --format '{{.State.ExitCode}}' "$name")
if [ "$status" = 0 ]; then
        pass "container: podman stop: the daemon exited 0"
else
        fail "container: podman stop: the daemon exited $status"
fi
echo "   ($((SECONDS - started)) s in all)"
exit "$failed"
