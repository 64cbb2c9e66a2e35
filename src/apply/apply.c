/* SPDX-License-Identifier: MIT */
#include "apply/apply.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "match/matcher.h"
#include "shared/parse-util.h"

size_t sysctl_plan(const RootFs *fs, const Policy *p, SysctlChange changes[static _SYSCTL_MAX]) {
        size_t n = 0;

        for (SysctlId id = 0; id < _SYSCTL_MAX; id++) {
                SysctlChange c = { .id = id, .new_value = p->sysctl[id].value };

                if (!p->sysctl[id].set)
                        continue;
                c.error = sysctl_read_int64(fs, sysctl_info(id)->path, &c.old_value);
                c.old_known = c.error == 0;
                if (c.error == 0 && c.old_value == c.new_value)
                        continue;
                changes[n++] = c;
        }
        return n;
}

int sysctl_apply(const RootFs *fs, SysctlChange *change) {
        change->error = sysctl_write_int64(fs, sysctl_info(change->id)->path, change->new_value);
        return change->error;
}

const char *apply_error_hint(int error, int old_adj, int new_adj) {
        switch (error) {
        case -EACCES:
        case -EPERM:
                /* The kernel refuses to lower oom_score_adj below its floor without this capability. */
                if (new_adj < old_adj)
                        return "lowering oom_score_adj needs CAP_SYS_RESOURCE, which this process lacks";
                return "permission denied: writing another user's oom_score_adj needs root (CAP_DAC_OVERRIDE)";
        case -EROFS:
                return "/proc is mounted read-only here";
        default:
                return NULL;
        }
}

int apply_to_process(int pid_fd, pid_t pid, const Policy *p, bool dry_run, ProcOutcome *ret) {
        ProcInfo info = {};
        ProcOutcome o = { .pid = pid };
        int r;

        r = proc_read_info(pid_fd, pid, p->proc_fields, &info);
        if (r < 0)
                return r;
        memcpy(o.comm, info.comm, sizeof(o.comm));
        o.old_adj = o.new_adj = info.oom_score_adj;

        if (proc_info_is_kernel_thread(&info) || proc_info_is_zombie(&info))
                o.verdict = PROC_VERDICT_SKIPPED;
        else {
                o.rule = matcher_find_rule(p, &info);
                if (!o.rule)
                        o.verdict = PROC_VERDICT_NO_RULE;
                else if (o.rule->oom_score_adj == info.oom_score_adj) {
                        o.verdict = PROC_VERDICT_ALREADY_SET;
                } else {
                        o.new_adj = o.rule->oom_score_adj;
                        o.verdict = PROC_VERDICT_CHANGED;
                        if (!dry_run) {
                                /* Through the fd opened before the checks: a reused PID is never written. */
                                r = proc_write_oom_score_adj(pid_fd, o.new_adj);
                                if (r == -ESRCH) {
                                        proc_info_done(&info);
                                        return r;
                                }
                                if (r < 0) {
                                        o.verdict = PROC_VERDICT_FAILED;
                                        o.error = r;
                                }
                        }
                }
        }
        proc_info_done(&info);
        *ret = o;
        return 0;
}

int apply_to_pid(const RootFs *fs, pid_t pid, const Policy *p, bool dry_run, ProcOutcome *ret) {
        _cleanup_close_ int pid_fd = -EBADF;
        int r;

        r = proc_pid_open(fs, pid, &pid_fd);
        if (r < 0)
                return r;
        return apply_to_process(pid_fd, pid, p, dry_run, ret);
}

static int compare_pids(const void *a, const void *b) {
        pid_t x = *(const pid_t *) a, y = *(const pid_t *) b;

        return (x > y) - (x < y);
}

int proc_scan_pids(const RootFs *fs, int (*fn)(pid_t pid, void *userdata), void *userdata) {
        _cleanup_closedir_ DIR *d = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0, allocated = 0;
        struct dirent *de;
        int fd, r;

        fd = openat(fs->proc_fd, ".", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        d = fdopendir(fd);
        if (!d) {
                r = negative_errno();
                (void) close(fd);
                return r;
        }
        /* Collect first, so that callbacks (which open files) don't race the directory stream. */
        while ((errno = 0, de = readdir(d))) {
                int pid;

                if (de->d_name[0] < '1' || de->d_name[0] > '9')
                        continue;
                if (parse_int_range(de->d_name, 1, INT32_MAX, &pid) < 0)
                        continue;
                if (n == allocated) {
                        size_t m = allocated ? allocated * 2 : 1024;
                        pid_t *grown = realloc(pids, m * sizeof(pid_t));

                        if (!grown)
                                return -ENOMEM;
                        pids = grown;
                        allocated = m;
                }
                pids[n++] = pid;
        }
        if (errno != 0)
                return negative_errno();
        /* qsort() must not see the NULL array of an empty /proc (a fake root). */
        if (n > 0)
                qsort(pids, n, sizeof(pid_t), compare_pids);
        for (size_t i = 0; i < n; i++) {
                r = fn(pids[i], userdata);
                if (r < 0)
                        return r;
        }
        return 0;
}
