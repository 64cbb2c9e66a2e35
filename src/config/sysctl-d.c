/* SPDX-License-Identifier: MIT */
#include "config/sysctl-d.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/conf-files.h"
#include "shared/parse-util.h"
#include "proc/rootfs.h"
#include "shared/strv.h"

static char *strip(char *s) {
        char *e;

        while (isspace((unsigned char) *s))
                s++;
        e = s + strlen(s);
        while (e > s && isspace((unsigned char) e[-1]))
                e--;
        *e = '\0';
        return s;
}

int sysctl_d_parse(const char *buf, int (*fn)(SysctlId id, const char *value, unsigned line, void *userdata),
                   void *userdata) {
        _cleanup_free_ char *copy = strdup(buf);
        unsigned line = 0;

        if (!copy)
                return -ENOMEM;
        for (char *l = copy, *next; l; l = next) {
                char *eq, *key, *value;
                SysctlId id;
                int r;

                next = strchr(l, '\n');
                if (next)
                        *next++ = '\0';
                line++;
                l = strip(l);
                if (*l == '\0' || *l == '#' || *l == ';')
                        continue;
                /* "-key = value": failures to set it are ignored by systemd-sysctl; it still sets it. */
                if (*l == '-')
                        l++;
                eq = strchr(l, '=');
                if (!eq)
                        continue;
                *eq = '\0';
                key = strip(l);
                value = strip(eq + 1);
                for (char *c = key; *c; c++)
                        if (*c == '/')
                                *c = '.';
                id = sysctl_from_key(key);
                if (id < 0)
                        continue;
                r = fn(id, value, line, userdata);
                if (r < 0)
                        return r;
        }
        return 0;
}

typedef struct Collect {
        SysctlAssignment last[_SYSCTL_MAX];
        const char *file;
} Collect;

static int remember(SysctlId id, const char *value, unsigned line, void *userdata) {
        Collect *c = userdata;
        SysctlAssignment *a = &c->last[id];

        free(a->value);
        free(a->file);
        a->value = strdup(value);
        a->file = strdup(c->file);
        a->line = line;
        a->id = id;
        return a->value && a->file ? 0 : -ENOMEM;
}

int sysctl_d_check_conflicts(const char *root, const Policy *p, DiagList *diag) {
        /* systemd-sysctl's directories, strongest first; /etc/sysctl.conf is read last by procps. */
        static const char *const dirs[] = {
                "/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d", NULL,
        };
        _cleanup_strv_free_ char **files = NULL;
        _cleanup_free_ char *sysctl_conf = NULL;
        Collect c = {};
        int r;

        r = conf_files_list_dropins(root, dirs, &files);
        if (r < 0)
                return r;
        if (asprintf(&sysctl_conf, "%s/etc/sysctl.conf", root && strcmp(root, "/") != 0 ? root : "") < 0)
                return -ENOMEM;
        r = strv_extend(&files, sysctl_conf);
        if (r < 0)
                return r;

        for (char **f = files; *f; f++) {
                _cleanup_free_ char *buf = NULL;
                /* A missing /etc/sysctl.conf or an unreadable file has nothing to compare. */
                if (read_small_file_at(AT_FDCWD, *f, 1024 * 1024, &buf, NULL) < 0)
                        continue;
                c.file = *f;
                r = sysctl_d_parse(buf, remember, &c);
                if (r < 0)
                        goto finish;
        }

        for (SysctlId id = 0; id < _SYSCTL_MAX; id++) {
                const SysctlAssignment *a = &c.last[id];
                int64_t v;

                if (!a->value || !p->sysctl[id].set)
                        continue;
                if (parse_int64_range(a->value, INT64_MIN, INT64_MAX, &v) == 0 && v == p->sysctl[id].value)
                        continue;
                r = diag_warning(diag, a->file, a->line,
                                 "sets %s = %s, but the policy (%s:%u) sets %" PRId64 "; systemd-sysctl at boot and "
                                 "oompolicyd would fight over it",
                                 sysctl_info(id)->key, a->value, p->sysctl[id].origin.file, p->sysctl[id].origin.line,
                                 p->sysctl[id].value);
                if (r < 0)
                        goto finish;
        }
        r = 0;
finish:
        for (SysctlId id = 0; id < _SYSCTL_MAX; id++) {
                free(c.last[id].value);
                free(c.last[id].file);
        }
        return r;
}
