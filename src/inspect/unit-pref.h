/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "proc/rootfs.h"

/* The effects behind apply/oomd-pref.h: where a process's unit is, who owns its
 * cgroup, and reading and writing its ManagedOOMPreference= over D-Bus. Shared
 * by the daemon and oompolicyctl apply. */

/* The unit that holds the process (from pid_fd's "cgroup" file, no bus needed)
 * and its cgroup path. -ENOENT when it is in no unit. */
int unit_of_process(int pid_fd, char **ret_unit, char **ret_cgroup);

/* The owner of the cgroup's directory, below ROOT/sys/fs/cgroup (the unified
 * hierarchy, or on a v1 machine its name=systemd one). */
int unit_cgroup_owner(const RootFs *fs, const char *cgroup, uid_t *ret);

/* ManagedOOMPreference= of a loaded unit ("none", "avoid", "omit"). */
int unit_pref_read(sd_bus *bus, const char *unit, char **ret);

/* Sets it as a runtime property (SetUnitProperties(unit, true, ...)): systemd
 * keeps it across cgroup re-creation, and it is gone after a reboot. The D-Bus
 * error's message, when there is one, goes to ret_message (optional). */
int unit_pref_write(sd_bus *bus, const char *unit, const char *value, char **ret_message);

/* The user.oomd_avoid and user.oomd_omit marks systemd-oomd reads, on the
 * cgroup's directory below ROOT/sys/fs/cgroup (the unified hierarchy: oomd runs
 * on nothing else). -ENOENT when there is no such directory. */
int unit_cgroup_oomd_xattrs(const RootFs *fs, const char *cgroup, bool *ret_avoid, bool *ret_omit);

/* Makes the marks say value ("avoid", "omit", "none") as systemd does when it
 * creates the cgroup (apply/oomd-pref.h). 0: they did already, 1: written; on
 * failure the kernel's error (EROFS under ProtectControlGroups=, EPERM,
 * EOPNOTSUPP). ret_attr (optional): the mark that decides, for messages. */
int unit_cgroup_oomd_xattrs_sync(const RootFs *fs, const char *cgroup, const char *value, const char **ret_attr);
