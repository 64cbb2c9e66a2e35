# SPDX-License-Identifier: MIT
# Host side of the system tests: the cached guest image, booting a guest over a
# copy-on-write overlay, and reading what a scenario wrote into its 9p share.
# Sourced by tests/system/run.

system_dir=${system_dir:?}

# Why this machine cannot run the guest, or nothing when it can.
system_cannot_run() {
        local tool
        [ "$(uname -m)" = x86_64 ] || { echo "the guest is x86_64 and this machine is $(uname -m)"; return; }
        [ "$(id -u)" -eq 0 ] || { echo "building the guest image needs root"; return; }
        for tool in qemu-system-x86_64 qemu-img mmdebstrap mke2fs; do
                command -v "$tool" >/dev/null || { echo "$tool is not installed (tools/install-deps --system)"; return; }
        done
        qemu-system-x86_64 -device help 2>/dev/null | grep -q virtio-9p-pci ||
                { echo "this qemu-system-x86_64 has no virtio-9p (the results channel)"; return; }
        [ -n "$(debian_sources)" ] || { echo "no Debian 12 (bookworm) apt source on this machine to build the guest from"; return; }
        local free_kib
        free_kib=$(df -Pk "$(dirname "$cache_dir")" | awk 'NR == 2 { print $4 }')
        [ "${free_kib:-0}" -ge $((6 * 1024 * 1024)) ] || { echo "less than 6 GiB free for the guest image"; return; }
}

# The machine's own bookworm apt sources (there is no other network): mmdebstrap
# pastes each file into the guest's sources.list.
debian_sources() {
        local f
        for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
                [ -f "$f" ] && grep -Eq '^[^#]*\bbookworm\b' "$f" && grep -q 'debian' "$f" && echo "$f"
        done
}

# Which accelerator: KVM where /dev/kvm opens and a guest gets past the kernel
# entry (nested KVM hangs there on some hosts), TCG otherwise.
qemu_accel() {
        if [ -n "${OOMPOLICYD_SYSTEM_ACCEL:-}" ]; then
                echo "$OOMPOLICYD_SYSTEM_ACCEL"
        elif [ -w /dev/kvm ]; then
                echo kvm
        else
                echo tcg
        fi
}

# What the image is made of. Raise image_recipe when ensure_image changes how
# it builds one, so caches made the old way are not used.
image_recipe=1
image_key() {
        { echo "recipe $image_recipe"; cat "$system_dir/packages" "$system_dir/guest/harness-boot" \
                "$system_dir/guest/harness.service" "$system_dir/guest/customize"; } | sha256sum | cut -c1-16
}

# Builds (or finds in the cache) the base image: a Debian 12 root file system
# on a qcow2 disk, with its kernel and initrd beside it. Prints the key.
ensure_image() {
        local key base tmp packages src
        key=$(image_key)
        base="$cache_dir/base-$key"
        if [ -f "$base.qcow2" ] && [ -f "$base.vmlinuz" ] && [ -f "$base.initrd" ]; then
                echo "$key"
                return 0
        fi
        mkdir -p "$cache_dir"
        # What an interrupted build left behind.
        rm -rf "$cache_dir"/build.*
        tmp=$(mktemp -d "$cache_dir/build.XXXXXX")
        packages=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$system_dir/packages" | tr -s ' \n' ',' | sed 's/,$//')
        local -a mirrors=()
        while IFS= read -r src; do mirrors+=("$src"); done < <(debian_sources)
        echo "system: building the guest image $key (mmdebstrap, about 1-3 minutes)" >&2
        local started=$SECONDS
        if ! mmdebstrap --quiet --variant=minbase --include="$packages" \
                --customize-hook="$system_dir/guest/customize \"\$1\" \"$system_dir/guest\"" \
                bookworm "$tmp/root" "${mirrors[@]}" </dev/null >"$tmp/mmdebstrap.log" 2>&1; then
                tail -n 30 "$tmp/mmdebstrap.log" >&2
                rm -rf "$tmp"
                echo "system: mmdebstrap failed" >&2
                return 1
        fi
        local kernel initrd
        kernel=$(ls "$tmp"/root/boot/vmlinuz-* | sort -V | tail -n 1)
        initrd=$(ls "$tmp"/root/boot/initrd.img-* | sort -V | tail -n 1)
        cp "$kernel" "$tmp/vmlinuz" && cp "$initrd" "$tmp/initrd"
        mke2fs -q -t ext4 -L root -d "$tmp/root" "$tmp/root.raw" 4G >/dev/null &&
                qemu-img convert -O qcow2 "$tmp/root.raw" "$tmp/root.qcow2" || {
                rm -rf "$tmp"
                echo "system: making the disk image failed" >&2
                return 1
        }
        # Older images are of no use any more: one key is kept.
        rm -f "$cache_dir"/base-*.qcow2 "$cache_dir"/base-*.vmlinuz "$cache_dir"/base-*.initrd
        mv "$tmp/vmlinuz" "$base.vmlinuz" && mv "$tmp/initrd" "$base.initrd" && mv "$tmp/root.qcow2" "$base.qcow2"
        rm -rf "$tmp"
        echo "system: image built in $((SECONDS - started)) s" >&2
        echo "$key"
}

# boot_guest DIR BACKING KEY TIMEOUT: boots an overlay DIR/disk.qcow2 over BACKING
# with DIR/share as the 9p share, until the guest powers off. The guest may
# reboot (a panic with kernel.panic set) any number of times in between.
# Returns 124 when TIMEOUT seconds pass, or when the guest writes nothing into
# the share for $guest_silence seconds: a scenario reports every check as it
# goes, so that long a silence is a hung boot (seen under TCG on a loaded host:
# soft lockups of a kernel worker, then nothing).
boot_guest() {
        local dir=$1 backing=$2 key=$3 limit=$4 accel qemu_pid started=$SECONDS
        accel=$(qemu_accel)
        qemu-img create -q -f qcow2 -b "$backing" -F qcow2 "$dir/disk.qcow2"
        local -a cpu=(-cpu max)
        [ "$accel" = kvm ] && cpu=(-cpu host)
        qemu-system-x86_64 \
                -machine "q35,accel=$accel" "${cpu[@]}" -smp "$guest_cpus" -m "$guest_mem" \
                -kernel "$cache_dir/base-$key.vmlinuz" -initrd "$cache_dir/base-$key.initrd" \
                -append "root=/dev/vda rw console=ttyS0 quiet systemd.show_status=0" \
                -drive "file=$dir/disk.qcow2,if=virtio,format=qcow2,cache=unsafe" \
                -virtfs "local,path=$dir/share,mount_tag=harness,security_model=none,id=harness" \
                -serial "file:$dir/console.log" -monitor none -display none -nic none \
                -no-user-config -nodefaults \
                </dev/null >"$dir/qemu.log" 2>&1 &
        qemu_pid=$!
        touch "$dir/share/out/.started"
        while kill -0 "$qemu_pid" 2>/dev/null; do
                local elapsed=$((SECONDS - started)) why=
                if [ "$elapsed" -ge "$limit" ]; then
                        why="no power-off within $limit s"
                elif [ "$elapsed" -ge "$guest_silence" ] &&
                        [ -z "$(find "$dir/share/out" -newermt "@$(($(date +%s) - guest_silence))" -print -quit)" ]; then
                        why="nothing written to the share for $guest_silence s"
                fi
                if [ -n "$why" ]; then
                        echo "$why" >"$dir/hung"
                        kill "$qemu_pid" 2>/dev/null
                        wait "$qemu_pid" 2>/dev/null
                        return 124
                fi
                sleep 2
        done
        wait "$qemu_pid"
}
