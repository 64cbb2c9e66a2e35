/* SPDX-License-Identifier: MIT */
#include "apply/apply.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#include "apply/adj-decision.h"
#include "match/matcher.h"
#include "shared/macro.h"

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
        _cleanup_(proc_info_done) ProcInfo info = {};
        ProcOutcome o = { .pid = pid };
        AdjDecision d;
        ProcSeen seen;
        int r;

        assert(p && ret);
        r = proc_read_info(pid_fd, pid, p->proc_fields, &info);
        if (r < 0)
                return r;
        memcpy(o.comm, info.comm, sizeof(o.comm));
        o.old_adj = o.new_adj = info.oom_score_adj;
        seen = (ProcSeen) { .start_time = info.start_time, .oom_score_adj = info.oom_score_adj,
                            .skip = proc_info_is_kernel_thread(&info) || proc_info_is_zombie(&info) };
        if (!seen.skip)
                o.rule = matcher_find_rule(p, &info);
        d = adj_decide(NULL, &seen, o.rule, p->daemon.default_oom_score_adj);

        if (seen.skip)
                o.verdict = PROC_VERDICT_SKIPPED;
        else if (!o.rule)
                o.verdict = PROC_VERDICT_NO_RULE;
        else if (d.write == ADJ_WRITE_NONE)
                o.verdict = PROC_VERDICT_ALREADY_SET;
        else {
                o.new_adj = d.value;
                o.verdict = PROC_VERDICT_CHANGED;
                if (!dry_run) {
                        /* Through the fd opened before the checks: a reused PID is never written. */
                        r = proc_write_oom_score_adj(pid_fd, d.value);
                        if (r == -ESRCH)
                                return r;
                        if (r < 0) {
                                o.verdict = PROC_VERDICT_FAILED;
                                o.error = r;
                        }
                }
        }
        *ret = o;
        return 0;
}

int apply_to_pid(const RootFs *fs, pid_t pid, const Policy *p, bool dry_run, ProcOutcome *ret) {
        _cleanup_close_ int pid_fd = -EBADF;
        int r;

        assert(fs);
        r = proc_pid_open(fs, pid, &pid_fd);
        if (r < 0)
                return r;
        return apply_to_process(pid_fd, pid, p, dry_run, ret);
}
