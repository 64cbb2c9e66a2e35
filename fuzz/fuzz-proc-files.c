/* SPDX-License-Identifier: MIT */
/* The pure parsers of /proc and cgroup files (and the UTF-8 repair of what they
 * yield). Every input goes to every parser:
 * a real stat file makes a good start for a status parser too, and the parsers
 * are cheap. The string parsers see the input up to its first NUL, as they see
 * what read_small_file_at() read; the cmdline parser sees all bytes. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/macro.h"
#include "inspect/meminfo.h"
#include "proc/proc-info.h"
#include "shared/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_stat(const char *buf) {
        ProcInfo info = {};
        int r = proc_parse_stat(buf, &info);

        if (r == -EBADMSG)
                return;
        if (r != 0)
                abort();
        if (info.pid <= 0 || strnlen(info.comm, sizeof(info.comm)) >= sizeof(info.comm))
                abort();
        /* The comm is what lies between the first '(' and the last ')', cut to 15 characters. */
        const char *open_paren = strchr(buf, '('), *close_paren = strrchr(buf, ')');
        size_t comm_len = MIN((size_t) (close_paren - open_paren - 1), (size_t) PROC_COMM_MAX - 1);
        if (strlen(info.comm) != comm_len || memcmp(info.comm, open_paren + 1, comm_len) != 0)
                abort();
        if (info.exe || info.argv0 || info.cmdline || info.cgroup || info.fields != 0)
                abort();
}

static void check_comm(const char *buf) {
        char comm[PROC_COMM_MAX];
        size_t len = strlen(buf);
        int r = proc_parse_comm(buf, comm);

        if (r == -EBADMSG) {
                if (len > 0 && buf[len - 1] == '\n')
                        abort();
                return;
        }
        if (r != 0 || strlen(comm) != MIN(len - 1, (size_t) PROC_COMM_MAX - 1) || memcmp(comm, buf, strlen(comm)) != 0)
                abort();
}

/* Names and log lines are made valid UTF-8 for JSON: always valid afterwards, and
 * unchanged when they were valid already. */
static void check_utf8(const char *buf) {
        _cleanup_free_ char *valid = utf8_make_valid(buf);

        if (!valid || !utf8_is_valid(valid))
                abort();
        if (utf8_is_valid(buf) != (strcmp(valid, buf) == 0))
                abort();
}

static void check_status_uid(const char *buf) {
        uid_t uid = 4242;
        int r = proc_parse_status_uid(buf, &uid);

        if (r == -EBADMSG) {
                if (uid != 4242)
                        abort();   /* no output on failure */
                return;
        }
        if (r != 0 || uid == (uid_t) -1)
                abort();
}

static void check_cgroup_path(int r, char *path, bool may_be_ebadmsg) {
        if (r == -ENOENT || (may_be_ebadmsg && r == -EBADMSG)) {
                if (path)
                        abort();
                return;
        }
        if (r != 0 || !path || strchr(path, '\n'))
                abort();
        free(path);
}

static void check_cgroup(const char *buf) {
        static const char *const controllers[] = { "memory", "name=systemd", "cpu", "" };
        char *path = NULL;
        int r;

        r = proc_parse_cgroup(buf, &path);
        if (r == -ENOENT)
                abort();   /* proc_parse_cgroup() says -EBADMSG for "nothing usable" */
        check_cgroup_path(r, path, true);

        path = NULL;
        r = proc_parse_cgroup_controller(buf, NULL, &path);
        if (r == 0 && !strstr(buf, "0::"))
                abort();   /* only a "0::PATH" line is the v2 placement */
        check_cgroup_path(r, path, false);

        for (size_t i = 0; i < ELEMENTSOF(controllers); i++) {
                path = NULL;
                r = proc_parse_cgroup_controller(buf, controllers[i], &path);
                check_cgroup_path(r, path, false);
        }
}

static void check_cmdline(const uint8_t *data, size_t size) {
        _cleanup_free_ char *cmdline = NULL, *argv0 = NULL;
        size_t len = size;
        int r;

        r = proc_parse_cmdline((const char *) data, size, &cmdline, &argv0);
        if (r != 0)
                abort();
        while (len > 0 && data[len - 1] == '\0')
                len--;
        /* NULs become blanks, nothing else changes, and argv[0] is the first word. */
        if (strlen(cmdline) != len || strlen(argv0) > len || strncmp(cmdline, argv0, strlen(argv0)) != 0)
                abort();
        for (size_t i = 0; i < len; i++)
                if (cmdline[i] != (data[i] == '\0' ? ' ' : (char) data[i]))
                        abort();
}

static void check_meminfo(const char *buf) {
        MemInfo m;
        ProcMemory pm;
        int r;

        r = meminfo_parse(buf, &m);
        if (r != 0 && r != -EBADMSG && r != -ERANGE)
                abort();
        r = parse_status_memory(buf, &pm);
        if (r != 0 && r != -EBADMSG && r != -ERANGE && r != -ENODATA)
                abort();
}

/* Cross-checks against strtoull() on plain digit strings. */
static void check_cgroup_limit(const char *buf) {
        uint64_t v = 0;
        size_t len = strlen(buf);
        int r;

        r = parse_cgroup_limit(buf, &v);
        if (r != 0 && r != -EBADMSG && r != -ERANGE)
                abort();
        if (len > 0 && buf[len - 1] == '\n')
                len--;
        if (len == 3 && memcmp(buf, "max", 3) == 0) {
                if (r != 0 || v != UINT64_MAX)
                        abort();
                return;
        }
        if (len == 0 || strspn(buf, "0123456789") != len) {
                if (r == 0)
                        abort();   /* -ERANGE comes first when the digits before the junk overflow */
                return;
        }
        errno = 0;
        unsigned long long expected = strtoull(buf, NULL, 10);
        if (errno == ERANGE ? r != -ERANGE : (r != 0 || v != expected))
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *buf = malloc(size + 1);

        if (!buf)
                return 0;
        memcpy(buf, data, size);
        buf[size] = '\0';

        check_stat(buf);
        check_comm(buf);
        check_utf8(buf);
        check_status_uid(buf);
        check_cgroup(buf);
        check_cmdline(data, size);
        check_meminfo(buf);
        check_cgroup_limit(buf);
        return 0;
}
