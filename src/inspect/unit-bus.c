/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "inspect/unit-bus.h"
#include "shared/macro.h"
#include "shared/string-util.h"


static void bus_error_freep(sd_bus_error *e) {
        sd_bus_error_free(e);
}

int unit_bus_open_system(sd_bus **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        assert(ret);

        r = sd_bus_open_system(&bus);
        if (r < 0)
                return r;
        /* sd_bus_open_system() connects lazily; a bus that is not there shows up
         * only at the first call. Ask once now so callers learn it here. */
        r = sd_bus_get_unique_name(bus, &(const char *){ NULL });
        if (r < 0)
                return r;
        *ret = TAKE_PTR(bus);
        return 0;
}

static int unit_path_id(sd_bus *bus, const char *path, char **ret_unit) {
        _cleanup_(bus_error_freep) sd_bus_error error = SD_BUS_ERROR_NULL;
        char *id = NULL;
        int r;

        r = sd_bus_get_property_string(bus, "org.freedesktop.systemd1", path,
                                       "org.freedesktop.systemd1.Unit", "Id", &error, &id);
        if (r < 0)
                return r;
        *ret_unit = id;
        return 0;
}

int unit_bus_unit_of_pid(sd_bus *bus, pid_t pid, char **ret_unit) {
        _cleanup_(bus_error_freep) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *path;
        int r;

        assert(bus);
        assert(ret_unit);

        if (pid <= 0)
                return -EINVAL;
        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", "GetUnitByPID",
                               &error, &reply, "u", (uint32_t) pid);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return r;
        return unit_path_id(bus, path, ret_unit);
}

int unit_bus_get_property_string(sd_bus *bus, const char *unit, const char *interface,
                                 const char *property, char **ret) {
        _cleanup_(bus_error_freep) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *path;
        char *value = NULL;
        int r;

        assert(bus);
        assert(unit);
        assert(interface);
        assert(property);
        assert(ret);

        /* GetUnit, not LoadUnit: a read-only question must not load units. */
        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", "GetUnit",
                               &error, &reply, "s", unit);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return r;
        sd_bus_error_free(&error);
        r = sd_bus_get_property_string(bus, "org.freedesktop.systemd1", path, interface,
                                       property, &error, &value);
        if (r < 0)
                return r;
        *ret = value;
        return 0;
}

const char *unit_bus_interface_of(const char *unit) {
        if (!unit)
                return NULL;
        if (endswith(unit, ".service"))
                return "org.freedesktop.systemd1.Service";
        if (endswith(unit, ".scope"))
                return "org.freedesktop.systemd1.Scope";
        if (endswith(unit, ".slice"))
                return "org.freedesktop.systemd1.Slice";
        return NULL;
}

/* The innermost component of path ending in one of the suffixes, as [*ret_start, *ret_len). */
static bool innermost_with_suffix(const char *path, size_t path_len, const char *const suffixes[],
                                  const char **ret_start, size_t *ret_len) {
        bool found = false;
        const char *p = path, *end = path + path_len;

        while (p < end) {
                const char *slash = memchr(p, '/', (size_t) (end - p));
                const char *cend = slash ? slash : end;
                size_t len = (size_t) (cend - p);

                for (size_t i = 0; suffixes[i]; i++) {
                        size_t sl = strlen(suffixes[i]);
                        if (len > sl && memcmp(cend - sl, suffixes[i], sl) == 0) {
                                *ret_start = p;
                                *ret_len = len;
                                found = true;
                                break;
                        }
                }
                p = slash ? slash + 1 : end;
        }
        return found;
}

int unit_from_proc_cgroup(const char *content, char **ret_unit, char **ret_cgroup_path) {
        static const char *const leaf[] = { ".service", ".scope", NULL };
        static const char *const slice[] = { ".slice", NULL };
        const char *path = NULL, *start;
        size_t path_len = 0, len;
        bool have_named = false;

        assert(content);
        assert(ret_unit);

        for (const char *line = content; *line;) {
                const char *nl = strchr(line, '\n');
                const char *lend = nl ? nl : line + strlen(line);
                const char *c1 = memchr(line, ':', (size_t) (lend - line));
                const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t) (lend - c1 - 1)) : NULL;

                if (lend > line) {
                        if (!c2 || c1 == line)
                                return -EBADMSG;
                        for (const char *d = line; d < c1; d++)
                                if (!ascii_isdigit(*d))
                                        return -EBADMSG;
                        bool v2 = c1 - line == 1 && line[0] == '0' && c2 == c1 + 1;
                        bool v1_systemd = (size_t) (c2 - c1 - 1) == strlen("name=systemd") &&
                                          memcmp(c1 + 1, "name=systemd", strlen("name=systemd")) == 0;
                        if (v1_systemd || (v2 && !have_named)) {
                                path = c2 + 1;
                                path_len = (size_t) (lend - path);
                                have_named = have_named || v1_systemd;
                        }
                }
                line = nl ? nl + 1 : lend;
        }
        if (!path)
                return -ENOENT;
        if (path_len == 0 || path[0] != '/')
                return -EBADMSG;
        if (!innermost_with_suffix(path, path_len, leaf, &start, &len) &&
            !innermost_with_suffix(path, path_len, slice, &start, &len))
                return -ENOENT;

        _cleanup_free_ char *unit = strndup(start, len);
        if (!unit)
                return -ENOMEM;
        if (ret_cgroup_path) {
                char *cg = strndup(path, path_len);
                if (!cg)
                        return -ENOMEM;
                *ret_cgroup_path = cg;
        }
        *ret_unit = TAKE_PTR(unit);
        return 0;
}
