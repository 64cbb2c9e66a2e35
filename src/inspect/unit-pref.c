/* SPDX-License-Identifier: MIT */
#include "inspect/unit-pref.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
