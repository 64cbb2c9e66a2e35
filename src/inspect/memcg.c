/* SPDX-License-Identifier: MIT */
#include "inspect/memcg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/meminfo.h"
#include "shared/parse-util.h"

#define MOUNTINFO_MAX (1024u * 1024u)

void memcg_mount_done(MemcgMount *m) {
        if (!m)
                return;
        free(m->mount_point);
        free(m->mount_root);
        m->mount_point = m->mount_root = NULL;
}

void memcg_domain_done(MemcgDomain *d) {
        if (!d)
                return;
        free(d->cgroup);
        d->cgroup = NULL;
}

/* The next blank-separated field of [*p, end); NULL when there is none. */
static const char *next_field(const char **p, const char *end, size_t *ret_len) {
        const char *s = *p, *e;

        while (s < end && *s == ' ')
                s++;
        if (s >= end)
                return NULL;
        e = s;
        while (e < end && *e != ' ')
                e++;
        *p = e;
        *ret_len = (size_t) (e - s);
        return s;
}

static bool is_octal(char c) {
        return c >= '0' && c <= '7';
}

/* mountinfo escapes blank, tab, newline and backslash as \ooo. */
static char *unescape_field(const char *s, size_t len) {
        char *out = malloc(len + 1), *o = out;

        if (!out)
                return NULL;
        for (size_t i = 0; i < len; i++) {
                if (s[i] == '\\' && i + 3 < len && s[i + 1] <= '3' && is_octal(s[i + 1]) && is_octal(s[i + 2]) &&
                    is_octal(s[i + 3])) {
                        *o++ = (char) ((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
                        i += 3;
                } else
                        *o++ = s[i];
        }
        *o = '\0';
        return out;
}

static bool list_contains(const char *list, size_t len, const char *word) {
        size_t wlen = strlen(word);

        for (const char *s = list, *end = list + len; s < end; ) {
                const char *comma = memchr(s, ',', (size_t) (end - s));
                const char *e = comma ?: end;

                if ((size_t) (e - s) == wlen && memcmp(s, word, wlen) == 0)
                        return true;
                s = e + 1;
        }
        return false;
}

typedef struct MountLine {
        const char *root, *point, *fstype, *super;
        size_t root_len, point_len, fstype_len, super_len;
} MountLine;

/* "ID PARENT MAJ:MIN ROOT POINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPER" */
static int parse_mount_line(const char *line, const char *eol, MountLine *ret) {
        const char *p = line, *f;
        size_t len;
        MountLine m = {};

        for (unsigned i = 0; i < 6; i++) {
                f = next_field(&p, eol, &len);
                if (!f)
                        return -EBADMSG;
                if (i == 3) {
                        m.root = f;
                        m.root_len = len;
                } else if (i == 4) {
                        m.point = f;
                        m.point_len = len;
                }
        }
        for (;;) {
                f = next_field(&p, eol, &len);
                if (!f)
                        return -EBADMSG;
                if (len == 1 && f[0] == '-')
                        break;
        }
        m.fstype = next_field(&p, eol, &m.fstype_len);
        if (!m.fstype || !next_field(&p, eol, &len))
                return -EBADMSG;
        m.super = next_field(&p, eol, &m.super_len);
        if (!m.super)
                return -EBADMSG;
        *ret = m;
        return 0;
}

static bool field_is(const char *f, size_t len, const char *s) {
        return strlen(s) == len && memcmp(f, s, len) == 0;
}

/* Several mounts of one hierarchy: keep the first, unless a later one shows
 * the whole tree and the kept one only a subtree. */
static bool mount_preferred(const MountLine *kept, const MountLine *candidate) {
        return !kept->point ||
               (!field_is(kept->root, kept->root_len, "/") && field_is(candidate->root, candidate->root_len, "/"));
}

int mountinfo_find_memcg(const char *mountinfo, MemcgMount *ret) {
        MountLine v1 = {}, v2 = {};
        const MountLine *pick;
        const char *point;
        size_t point_len;
        MemcgMount m = {};

        if (!mountinfo || !ret)
                return -EINVAL;

        for (const char *line = mountinfo; *line; ) {
                const char *eol = strchrnul(line, '\n');

                if (eol > line) {
                        MountLine ml;
                        int r = parse_mount_line(line, eol, &ml);

                        if (r < 0)
                                return r;
                        if (field_is(ml.fstype, ml.fstype_len, "cgroup") &&
                            list_contains(ml.super, ml.super_len, "memory") && mount_preferred(&v1, &ml))
                                v1 = ml;
                        else if (field_is(ml.fstype, ml.fstype_len, "cgroup2") && mount_preferred(&v2, &ml))
                                v2 = ml;
                }
                line = *eol ? eol + 1 : eol;
        }

        pick = v1.point ? &v1 : v2.point ? &v2 : NULL;
        if (!pick)
                return -ENOENT;

        /* Relative to the root: drop the leading slashes of the absolute mount point. */
        point = pick->point;
        point_len = pick->point_len;
        while (point_len > 0 && *point == '/') {
                point++;
                point_len--;
        }
        m.version = pick == &v1 ? CGROUP_V1 : CGROUP_V2;
        m.mount_point = unescape_field(point, point_len);
        m.mount_root = unescape_field(pick->root, pick->root_len);
        if (!m.mount_point || !m.mount_root) {
                memcg_mount_done(&m);
                return -ENOMEM;
        }
        *ret = m;
        return 0;
}

int memcg_path_normalize(const char *path, char **ret) {
        _cleanup_free_ char *out = NULL;
        size_t n = 0;

        if (!path || !ret)
                return -EINVAL;
        if (path[0] != '/')
                return -EINVAL;

        out = malloc(strlen(path) + 1);
        if (!out)
                return -ENOMEM;
        for (const char *p = path; *p; ) {
                size_t len;

                while (*p == '/')
                        p++;
                len = strcspn(p, "/");
                if (len == 0)
                        break;
                if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
                        return -EINVAL;
                out[n++] = '/';
                memcpy(out + n, p, len);
                n += len;
                p += len;
        }
        if (n == 0)
                out[n++] = '/';
        out[n] = '\0';
        *ret = TAKE_PTR(out);
        return 0;
}

bool memcg_path_contains(const char *cgroup, const char *member) {
        size_t len;

        if (!cgroup || !member)
                return false;
        if (strcmp(cgroup, "/") == 0)
                return member[0] == '/';
        len = strlen(cgroup);
        return strncmp(cgroup, member, len) == 0 && (member[len] == '\0' || member[len] == '/');
}

int memcg_path_to_dir(const MemcgMount *m, const char *path, char **ret) {
        _cleanup_free_ char *norm = NULL, *root = NULL;
        const char *rest;
        char *dir = NULL;
        int r;

        if (!m || !m->mount_point || !m->mount_root || !ret)
                return -EINVAL;
        r = memcg_path_normalize(path, &norm);
        if (r < 0)
                return r;
        r = memcg_path_normalize(m->mount_root, &root);
        if (r < 0)
                return r;
        if (!memcg_path_contains(root, norm))
                return -ENOENT;

        rest = strcmp(root, "/") == 0 ? norm : norm + strlen(root);
        if (strcmp(rest, "/") == 0 || *rest == '\0')
                rest = "";
        if (asprintf(&dir, "%s%s", m->mount_point[0] ? m->mount_point : ".", rest) < 0)
                return -ENOMEM;
        *ret = dir;
        return 0;
}

static int memcg_mount_new(CgroupVersion v, const char *point, MemcgMount *ret) {
        MemcgMount m = { .version = v, .mount_point = strdup(point), .mount_root = strdup("/") };

        if (!m.mount_point || !m.mount_root) {
                memcg_mount_done(&m);
                return -ENOMEM;
        }
        *ret = m;
        return 0;
}

static bool file_exists_at(int dir_fd, const char *path) {
        return faccessat(dir_fd, path, F_OK, 0) >= 0;
}

static int v2_has_memory(const RootFs *fs, const char *mount_point) {
        _cleanup_free_ char *path = NULL, *buf = NULL;
        size_t len;
        int r;

        if (asprintf(&path, "%s/cgroup.controllers", mount_point[0] ? mount_point : ".") < 0)
                return -ENOMEM;
        r = read_small_file_at(fs->root_fd, path, 4096, &buf, &len);
        if (r < 0)
                return r;
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
                buf[--len] = '\0';
        for (char *s = buf; *s; ) {
                size_t n = strcspn(s, " ");

                if (n == 6 && memcmp(s, "memory", 6) == 0)
                        return 1;
                s += n;
                s += strspn(s, " ");
        }
        return 0;
}

int memcg_mount_find(const RootFs *fs, MemcgMount *ret) {
        _cleanup_free_ char *mountinfo = NULL;
        MemcgMount m = {};
        int r;

        if (!fs || !ret)
                return -EINVAL;

        r = read_small_file_at(fs->proc_fd, "self/mountinfo", MOUNTINFO_MAX, &mountinfo, NULL);
        if (r >= 0) {
                r = mountinfo_find_memcg(mountinfo, &m);
                if (r < 0)
                        return r;
        } else if (file_exists_at(fs->root_fd, "sys/fs/cgroup/memory/memory.limit_in_bytes"))
                r = memcg_mount_new(CGROUP_V1, "sys/fs/cgroup/memory", &m);
        else
                r = memcg_mount_new(CGROUP_V2, "sys/fs/cgroup", &m);
        if (r < 0)
                return r;

        if (m.version == CGROUP_V2) {
                r = v2_has_memory(fs, m.mount_point);
                if (r <= 0) {
                        memcg_mount_done(&m);
                        return r == 0 || r == -ENOENT ? -ENOENT : r;
                }
        }
        *ret = m;
        return 0;
}

/* A limit file; absent counts as unlimited (see memcg_read_limits()). */
static int read_limit_at(int dir_fd, const char *name, uint64_t *ret) {
        _cleanup_free_ char *buf = NULL;
        int r;

        r = read_small_file_at(dir_fd, name, 64, &buf, NULL);
        if (r == -ENOENT) {
                *ret = UINT64_MAX;
                return 0;
        }
        if (r < 0)
                return r;
        r = parse_cgroup_limit(buf, ret);
        return r == -ERANGE ? -EBADMSG : r;
}

int memcg_read_limits(const RootFs *fs, const MemcgMount *m, const char *path, unsigned global_swappiness,
                      MemcgLimits *ret) {
        _cleanup_free_ char *dir = NULL;
        _cleanup_close_ int fd = -EBADF;
        MemcgLimits l = { .swappiness = global_swappiness };
        int r;

        if (!fs || !m || !ret)
                return -EINVAL;
        r = memcg_path_to_dir(m, path, &dir);
        if (r < 0)
                return r;
        fd = openat(fs->root_fd, dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();

        l.version = m->version;
        if (m->version == CGROUP_V2) {
                r = read_limit_at(fd, "memory.max", &l.memory_max);
                if (r >= 0)
                        r = read_limit_at(fd, "memory.swap.max", &l.swap_max);
        } else {
                r = read_limit_at(fd, "memory.limit_in_bytes", &l.memory_max);
                if (r >= 0)
                        r = read_limit_at(fd, "memory.memsw.limit_in_bytes", &l.swap_max);
                if (r >= 0) {
                        _cleanup_free_ char *buf = NULL;
                        int q = read_small_file_at(fd, "memory.swappiness", 32, &buf, NULL);
                        int v;

                        if (q >= 0) {
                                if (parse_int_range(buf, 0, 200, &v) < 0)
                                        return -EBADMSG;
                                l.swappiness = (unsigned) v;
                        } else if (q != -ENOENT)
                                r = q;
                }
        }
        if (r < 0)
                return r;
        *ret = l;
        return 0;
}

/* "/a/b" -> "/a", "/a" -> "/", in place. */
static void path_to_parent(char *path) {
        char *slash = strrchr(path, '/');

        if (slash == path)
                path[1] = '\0';
        else if (slash)
                *slash = '\0';
}

int memcg_find_domain(const RootFs *fs, const MemcgMount *m, const char *path, uint64_t total_ram_pages,
                      uint64_t total_swap_pages, uint64_t page_size, unsigned global_swappiness,
                      MemcgDomain *ret) {
        _cleanup_free_ char *cur = NULL;
        int r;

        if (!ret)
                return -EINVAL;
        r = memcg_path_normalize(path, &cur);
        if (r < 0)
                return r;

        for (;;) {
                MemcgLimits limits;
                uint64_t totalpages;

                r = memcg_read_limits(fs, m, cur, global_swappiness, &limits);
                if (r < 0)
                        return r;
                r = memcg_totalpages(&limits, total_ram_pages, total_swap_pages, page_size, &totalpages);
                if (r < 0)
                        return r;
                if (r == 0) {
                        *ret = (MemcgDomain) { .cgroup = TAKE_PTR(cur), .limits = limits, .totalpages = totalpages };
                        return 0;
                }
                if (strcmp(cur, "/") == 0) {
                        /* Unlimited all the way up: memcg_totalpages() gave the global value. */
                        *ret = (MemcgDomain) { .totalpages = totalpages };
                        return 0;
                }
                path_to_parent(cur);
        }
}
