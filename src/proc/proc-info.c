/* SPDX-License-Identifier: MIT */
#include "proc/proc-info.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc/rootfs.h"
#include "shared/parse-util.h"

#define PF_KTHREAD 0x00200000u
/* Long enough for every command line we have seen matched in practice; longer
 * ones are matched on this prefix (documented in oompolicy.conf(5)). */
#define CMDLINE_MAX (32u * 1024u)

void proc_info_done(ProcInfo *info) {
        assert(info);
        free(info->exe);
        free(info->argv0);
        free(info->cmdline);
        free(info->cgroup);
        info->exe = info->argv0 = info->cmdline = info->cgroup = NULL;
}

bool proc_info_is_kernel_thread(const ProcInfo *info) {
        assert(info);
        /* kthreadd (PID 2) has no PF_KTHREAD on some kernels, but is the parent of all others. */
        return (info->flags & PF_KTHREAD) || info->pid == 2 || info->ppid == 2;
}

bool proc_info_is_zombie(const ProcInfo *info) {
        assert(info);
        return info->state == 'Z' || info->state == 'X' || info->state == 'x';
}

static const char *basename_of(const char *path) {
        const char *slash = strrchr(path, '/');

        return slash ? slash + 1 : path;
}

size_t proc_info_names(const ProcInfo *info, const char *names[3]) {
        const char *candidates[2];
        size_t n = 0, comm_len;

        assert(info && names);
        candidates[0] = info->exe;
        candidates[1] = info->argv0;
        comm_len = strlen(info->comm);
        names[n++] = info->comm;
        if (comm_len != PROC_COMM_MAX - 1)
                return n;

        /* Only a name that the kernel could have cut down to this comm counts, so a
         * process cannot claim an arbitrary name through argv[0]. */
        for (size_t i = 0; i < ELEMENTSOF(candidates); i++) {
                const char *base;

                if (!candidates[i])
                        continue;
                base = basename_of(candidates[i]);
                if (strlen(base) <= comm_len || strncmp(base, info->comm, comm_len) != 0)
                        continue;
                if (n > 1 && strcmp(names[n - 1], base) == 0)
                        continue;
                names[n++] = base;
        }
        return n;
}

int proc_parse_stat(const char *buf, ProcInfo *info) {
        const char *open_paren, *close_paren, *p;
        unsigned long long field[19];
        size_t comm_len;
        char state;
        int pid;

        assert(buf && info);
        /* The comm may itself contain ") " and digits, so the last ')' ends it. */
        open_paren = strchr(buf, '(');
        close_paren = strrchr(buf, ')');
        if (!open_paren || !close_paren || close_paren < open_paren)
                return -EBADMSG;
        if (sscanf(buf, "%d", &pid) != 1 || pid <= 0)
                return -EBADMSG;
        comm_len = (size_t) (close_paren - open_paren - 1);
        /* Kernel threads (workqueue workers) may show more than TASK_COMM_LEN here;
         * they are never matched, so keeping the first 15 characters is enough. */
        if (comm_len >= PROC_COMM_MAX)
                comm_len = PROC_COMM_MAX - 1;

        p = close_paren + 1;
        if (*p != ' ' || !p[1] || p[1] == ' ')
                return -EBADMSG;
        state = p[1];
        p += 2;
        /* Fields 4..22 of proc(5)'s stat: ppid (index 0), flags (5), starttime (18). */
        for (size_t i = 0; i < ELEMENTSOF(field); i++) {
                char *end;

                if (*p != ' ')
                        return -EBADMSG;
                p++;
                errno = 0;
                if (*p == '-')
                        field[i] = (unsigned long long) strtoll(p, &end, 10);
                else
                        field[i] = strtoull(p, &end, 10);
                if (errno != 0 || end == p)
                        return -EBADMSG;
                p = end;
        }

        info->pid = pid;
        memcpy(info->comm, open_paren + 1, comm_len);
        info->comm[comm_len] = '\0';
        info->state = state;
        info->ppid = (pid_t) field[0];
        info->flags = (unsigned) field[5];
        info->start_time = field[18];
        return 0;
}

int proc_parse_comm(const char *buf, char comm[static PROC_COMM_MAX]) {
        size_t len;

        assert(buf);
        len = strlen(buf);
        /* The name is printed raw: it may itself contain newlines; the last one ends it. */
        if (len == 0 || buf[len - 1] != '\n')
                return -EBADMSG;
        len--;
        if (len >= PROC_COMM_MAX)
                len = PROC_COMM_MAX - 1;
        memcpy(comm, buf, len);
        comm[len] = '\0';
        return 0;
}

static const char *find_status_line(const char *buf, const char *key) {
        size_t key_len = strlen(key);

        for (const char *p = buf; p && *p; ) {
                if (strncmp(p, key, key_len) == 0)
                        return p + key_len;
                p = strchr(p, '\n');
                if (p)
                        p++;
        }
        return NULL;
}

int proc_parse_status_uid(const char *buf, uid_t *ret) {
        const char *p;
        char *end;
        unsigned long v;

        assert(buf && ret);
        p = find_status_line(buf, "Uid:");
        if (!p)
                return -EBADMSG;
        while (*p == ' ' || *p == '\t')
                p++;
        if (!isdigit((unsigned char) *p))
                return -EBADMSG;
        errno = 0;
        v = strtoul(p, &end, 10);
        if (errno != 0 || v >= UINT32_MAX || (*end != '\t' && *end != ' ' && *end != '\n' && *end != '\0'))
                return -EBADMSG;
        *ret = (uid_t) v;
        return 0;
}

int proc_parse_cgroup_controller(const char *buf, const char *controller, char **ret) {
        assert(buf && ret);
        for (const char *line = buf; line && *line; ) {
                const char *eol = strchrnul(line, '\n');
                const char *c1 = memchr(line, ':', (size_t) (eol - line));
                const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t) (eol - c1 - 1)) : NULL;

                if (c2) {
                        size_t list_len = (size_t) (c2 - c1 - 1);
                        bool hit = false;

                        if (!controller)
                                hit = list_len == 0 && c1 - line == 1 && line[0] == '0';
                        else {
                                /* v1 lines list comma-separated controllers: "4:cpu,cpuacct:/x". */
                                size_t clen = strlen(controller);

                                for (const char *s = c1 + 1; s < c2; ) {
                                        const char *comma = memchr(s, ',', (size_t) (c2 - s));
                                        const char *e = comma ?: c2;

                                        if ((size_t) (e - s) == clen && strncmp(s, controller, clen) == 0)
                                                hit = true;
                                        s = e + 1;
                                }
                        }
                        if (hit) {
                                char *path = strndup(c2 + 1, (size_t) (eol - c2 - 1));

                                if (!path)
                                        return -ENOMEM;
                                *ret = path;
                                return 0;
                        }
                }
                line = *eol ? eol + 1 : NULL;
        }
        return -ENOENT;
}

int proc_parse_cgroup(const char *buf, char **ret) {
        _cleanup_free_ char *unified = NULL;
        int r;

        assert(buf && ret);
        r = proc_parse_cgroup_controller(buf, NULL, &unified);
        if (r < 0 && r != -ENOENT)
                return r;
        if (r >= 0 && strcmp(unified, "/") != 0) {
                *ret = TAKE_PTR(unified);
                return 0;
        }
        r = proc_parse_cgroup_controller(buf, "name=systemd", ret);
        if (r != -ENOENT)
                return r;
        if (unified) {
                *ret = TAKE_PTR(unified);
                return 0;
        }
        return -EBADMSG;
}

int proc_parse_cmdline(const char *buf, size_t len, char **ret_cmdline, char **ret_argv0) {
        _cleanup_free_ char *joined = NULL, *argv0 = NULL;

        assert(buf && ret_cmdline && ret_argv0);
        /* Drop the trailing NUL(s) so the joined form has no trailing blank. */
        while (len > 0 && buf[len - 1] == '\0')
                len--;
        joined = malloc(len + 1);
        if (!joined)
                return -ENOMEM;
        for (size_t i = 0; i < len; i++)
                joined[i] = buf[i] == '\0' ? ' ' : buf[i];
        joined[len] = '\0';
        argv0 = strndup(buf, strnlen(buf, len));
        if (!argv0)
                return -ENOMEM;

        *ret_cmdline = TAKE_PTR(joined);
        *ret_argv0 = TAKE_PTR(argv0);
        return 0;
}

/* Files of a process that exited after we opened its directory fail with ESRCH;
 * normalize the other "it is gone" errnos to that. */
static int gone_to_esrch(int r) {
        return r == -ENOENT ? -ESRCH : r;
}

static int parse_oom_score_adj(const char *buf, int *ret) {
        return parse_int_range(buf, -1000, 1000, ret) < 0 ? -EBADMSG : 0;
}

int proc_read_oom_score_adj(int pid_fd, int *ret) {
        _cleanup_free_ char *buf = NULL;
        int r;

        r = read_small_file_at(pid_fd, "oom_score_adj", 32, &buf, NULL);
        if (r < 0)
                return gone_to_esrch(r);
        return parse_oom_score_adj(buf, ret);
}

int proc_write_oom_score_adj(int pid_fd, int value) {
        char buf[16];

        (void) snprintf(buf, sizeof(buf), "%d\n", value);
        return gone_to_esrch(write_string_at(pid_fd, "oom_score_adj", buf));
}

int proc_open_oom_score_adj(int pid_fd, int *ret_fd, int *ret_value) {
        _cleanup_close_ int fd = -EBADF;
        char buf[32];
        int r, value;

        assert(ret_fd && ret_value);
        fd = openat(pid_fd, "oom_score_adj", O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                r = gone_to_esrch(negative_errno());
                if (r == -ESRCH || r == -ENOMEM)
                        return r;
                /* Not ours to write (another user's process without CAP_DAC_OVERRIDE):
                 * the value is still worth knowing, and the write's error reported. */
                *ret_fd = r;
                return proc_read_oom_score_adj(pid_fd, ret_value);
        }
        r = read_small_fd(fd, buf, sizeof(buf), NULL);
        if (r < 0)
                return gone_to_esrch(r);
        r = parse_oom_score_adj(buf, &value);
        if (r < 0)
                return r;
        *ret_value = value;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int proc_write_oom_score_adj_fd(int adj_fd, int value) {
        char buf[16];

        if (adj_fd < 0)
                return adj_fd;
        (void) snprintf(buf, sizeof(buf), "%d\n", value);
        return gone_to_esrch(write_string_fd(adj_fd, buf));
}

static int read_exe(int pid_fd, char **ret) {
        char buf[PATH_MAX + 16];
        static const char deleted[] = " (deleted)";
        ssize_t n;
        size_t len;

        n = readlinkat(pid_fd, "exe", buf, sizeof(buf) - 1);
        if (n < 0)
                return negative_errno();
        len = (size_t) n;
        buf[len] = '\0';
        /* A binary replaced by a package upgrade keeps running from the old inode;
         * it is still the program at that path. */
        if (len > sizeof(deleted) - 1 && strcmp(buf + len - (sizeof(deleted) - 1), deleted) == 0)
                buf[len - (sizeof(deleted) - 1)] = '\0';
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}

int proc_read_stat(int pid_fd, pid_t pid, ProcInfo *ret) {
        _cleanup_free_ char *stat = NULL;
        ProcInfo info = { .pid = pid };
        int r;

        assert(ret);
        r = read_small_file_at(pid_fd, "stat", 4096, &stat, NULL);
        if (r < 0)
                return gone_to_esrch(r);
        r = proc_parse_stat(stat, &info);
        if (r < 0)
                return r;
        info.pid = pid;   /* the caller's view: in a fake or nested /proc the stat pid may differ */
        *ret = info;
        return 0;
}

int proc_read_comm(int pid_fd, char comm[static PROC_COMM_MAX]) {
        _cleanup_free_ char *buf = NULL;
        int r;

        /* 64 bytes is the longest name the kernel prints (a workqueue worker's). */
        r = read_small_file_at(pid_fd, "comm", 128, &buf, NULL);
        if (r < 0)
                return gone_to_esrch(r);
        return proc_parse_comm(buf, comm);
}

int proc_read_basic(int pid_fd, pid_t pid, ProcInfo *ret) {
        ProcInfo info;
        int r;

        assert(ret);
        r = proc_read_stat(pid_fd, pid, &info);
        if (r < 0)
                return r;
        r = proc_read_oom_score_adj(pid_fd, &info.oom_score_adj);
        if (r < 0)
                return r;
        *ret = info;
        return 0;
}

int proc_read_info(int pid_fd, pid_t pid, unsigned want, ProcInfo *ret) {
        ProcInfo info;
        int r;

        assert(ret);
        r = proc_read_basic(pid_fd, pid, &info);
        if (r < 0)
                return r;
        r = proc_read_fields(pid_fd, want, &info);
        if (r < 0)
                return r;
        *ret = info;
        return 0;
}

int proc_read_fields(int pid_fd, unsigned want, ProcInfo *io) {
        _cleanup_free_ char *status = NULL, *cmdline_raw = NULL, *cgroup_raw = NULL;
        /* Only what this call adds; moved into io once every read has worked. */
        _cleanup_free_ char *exe = NULL, *cmdline = NULL, *argv0 = NULL, *cgroup = NULL;
        unsigned got = 0;
        uid_t uid = 0;
        size_t len;
        int r;

        assert(io);
        if (proc_info_is_kernel_thread(io) || proc_info_is_zombie(io))
                return 0;
        want &= ~io->fields;

        /* A name rule can only see past a truncated comm through exe and argv[0]. */
        if (strlen(io->comm) == PROC_COMM_MAX - 1)
                want |= (PROC_FIELD_EXE | PROC_FIELD_CMDLINE) & ~io->fields;

        if (want & PROC_FIELD_UID) {
                r = read_small_file_at(pid_fd, "status", 16384, &status, NULL);
                if (r < 0)
                        return gone_to_esrch(r);
                if (proc_parse_status_uid(status, &uid) >= 0)
                        got |= PROC_FIELD_UID;
        }
        /* exe needs ptrace access; without it the field stays unknown and exe-qualified rules do not match. */
        if ((want & PROC_FIELD_EXE) && read_exe(pid_fd, &exe) >= 0)
                got |= PROC_FIELD_EXE;
        if (want & PROC_FIELD_CMDLINE) {
                r = read_small_file_at(pid_fd, "cmdline", CMDLINE_MAX, &cmdline_raw, &len);
                if (r < 0)
                        return gone_to_esrch(r);
                r = proc_parse_cmdline(cmdline_raw, len, &cmdline, &argv0);
                if (r < 0)
                        return r;
                got |= PROC_FIELD_CMDLINE;
        }
        if (want & PROC_FIELD_CGROUP) {
                r = read_small_file_at(pid_fd, "cgroup", 16384, &cgroup_raw, NULL);
                if (r < 0)
                        return gone_to_esrch(r);
                if (proc_parse_cgroup(cgroup_raw, &cgroup) >= 0)
                        got |= PROC_FIELD_CGROUP;
        }

        if (got & PROC_FIELD_UID)
                io->uid = uid;
        if (got & PROC_FIELD_EXE)
                io->exe = TAKE_PTR(exe);
        if (got & PROC_FIELD_CMDLINE) {
                io->cmdline = TAKE_PTR(cmdline);
                io->argv0 = TAKE_PTR(argv0);
        }
        if (got & PROC_FIELD_CGROUP)
                io->cgroup = TAKE_PTR(cgroup);
        io->fields |= got;
        return 0;
}
