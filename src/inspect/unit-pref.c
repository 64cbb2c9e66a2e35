/* SPDX-License-Identifier: MIT */
#include "inspect/unit-pref.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "apply/oomd-pref.h"
#include "inspect/unit-bus.h"
#include "shared/macro.h"

int unit_of_process(int pid_fd, char **ret_unit, char **ret_cgroup) {
        _cleanup_free_ char *content = NULL;
        int r;

        assert(ret_unit);

        r = read_small_file_at(pid_fd, "cgroup", 64 * 1024, &content, NULL);
        if (r < 0)
                return r;
        return unit_from_proc_cgroup(content, ret_unit, ret_cgroup);
}

int unit_cgroup_owner(const RootFs *fs, const char *cgroup, uid_t *ret) {
        /* systemd-oomd looks at the unified hierarchy; a v1 machine has the unit
         * tree under name=systemd, with the same owners. */
        static const char *const mounts[] = { "sys/fs/cgroup/unified", "sys/fs/cgroup/systemd", "sys/fs/cgroup" };
        int r = -ENOENT;

        assert(fs);
        assert(cgroup);
        assert(ret);

        if (cgroup[0] != '/' || strstr(cgroup, "/.."))
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(mounts); i++) {
                _cleanup_free_ char *dir = NULL;
                struct stat st;

                if (asprintf(&dir, "%s%s", mounts[i], strcmp(cgroup, "/") == 0 ? "" : cgroup) < 0)
                        return -ENOMEM;
                if (fstatat(fs->root_fd, dir, &st, 0) < 0) {
                        r = -errno;
                        continue;
                }
                if (!S_ISDIR(st.st_mode)) {
                        r = -ENOTDIR;
                        continue;
                }
                *ret = st.st_uid;
                return 0;
        }
        return r;
}

int unit_pref_read(sd_bus *bus, const char *unit, char **ret) {
        const char *interface;

        assert(bus);
        assert(unit);
        assert(ret);

        interface = unit_bus_interface_of(unit);
        if (!interface)
                return -EOPNOTSUPP;
        return unit_bus_get_property_string(bus, unit, interface, "ManagedOOMPreference", ret);
}

int unit_pref_write(sd_bus *bus, const char *unit, const char *value, char **ret_message) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        assert(bus);
        assert(unit);
        assert(value);

        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", "SetUnitProperties", &error, NULL, "sba(sv)",
                               unit, true, 1u, "ManagedOOMPreference", "s", value);
        if (r < 0 && ret_message && error.message)
                *ret_message = strdup(error.message);
        sd_bus_error_free(&error);
        return r;
}

static int open_unified_cgroup(const RootFs *fs, const char *cgroup) {
        _cleanup_free_ char *dir = NULL;
        int fd;

        if (cgroup[0] != '/' || strstr(cgroup, "/.."))
                return -EINVAL;
        if (asprintf(&dir, "sys/fs/cgroup%s", strcmp(cgroup, "/") == 0 ? "" : cgroup) < 0)
                return -ENOMEM;
        fd = openat(fs->root_fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

/* Absent (or unreadable as a value) counts as false, as it does for oomd. */
static int read_mark(int fd, const char *name, bool *ret) {
        char value[16];
        ssize_t n = fgetxattr(fd, name, value, sizeof(value) - 1);

        if (n < 0) {
                if (errno == ENODATA || errno == ERANGE) {
                        *ret = false;
                        return 0;
                }
                return -errno;
        }
        value[n] = '\0';
        *ret = oomd_xattr_value_true(value);
        return 0;
}

static int marks_of(int fd, bool *ret_avoid, bool *ret_omit) {
        int r = read_mark(fd, OOMD_XATTR_AVOID, ret_avoid);

        return r < 0 ? r : read_mark(fd, OOMD_XATTR_OMIT, ret_omit);
}

int unit_cgroup_oomd_xattrs(const RootFs *fs, const char *cgroup, bool *ret_avoid, bool *ret_omit) {
        _cleanup_close_ int fd = -EBADF;

        assert(fs);
        assert(cgroup);
        assert(ret_avoid);
        assert(ret_omit);

        fd = open_unified_cgroup(fs, cgroup);
        if (fd < 0)
                return fd;
        return marks_of(fd, ret_avoid, ret_omit);
}

static int change_mark(int fd, const char *name, OomdXattrChange c) {
        if (c == OOMD_XATTR_SET && fsetxattr(fd, name, "1", 1, 0) < 0)
                return -errno;
        if (c == OOMD_XATTR_REMOVE && fremovexattr(fd, name) < 0 && errno != ENODATA)
                return -errno;
        return 0;
}

int unit_cgroup_oomd_xattrs_sync(const RootFs *fs, const char *cgroup, const char *value, const char **ret_attr) {
        _cleanup_close_ int fd = -EBADF;
        bool avoid = false, omit = false;
        OomdXattrPlan plan;
        int r;

        assert(fs);
        assert(cgroup);
        assert(value);

        fd = open_unified_cgroup(fs, cgroup);
        if (fd < 0)
                return fd;
        r = marks_of(fd, &avoid, &omit);
        if (ret_attr)
                *ret_attr = oomd_xattr_name_for(value, avoid, omit);
        if (r < 0)
                return r;
        if (!oomd_xattr_plan(value, avoid, omit, &plan))
                return 0;
        /* The removal first: for a moment neither mark rather than both. */
        r = change_mark(fd, OOMD_XATTR_AVOID, plan.avoid == OOMD_XATTR_REMOVE ? plan.avoid : OOMD_XATTR_KEEP);
        if (r >= 0)
                r = change_mark(fd, OOMD_XATTR_OMIT, plan.omit == OOMD_XATTR_REMOVE ? plan.omit : OOMD_XATTR_KEEP);
        if (r >= 0)
                r = change_mark(fd, OOMD_XATTR_AVOID, plan.avoid == OOMD_XATTR_SET ? plan.avoid : OOMD_XATTR_KEEP);
        if (r >= 0)
                r = change_mark(fd, OOMD_XATTR_OMIT, plan.omit == OOMD_XATTR_SET ? plan.omit : OOMD_XATTR_KEEP);
        return r < 0 ? r : 1;
}
