/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "policy/policy.h"
#include "proc/proc-info.h"
#include "proc/rootfs.h"

/* One pass of the policy over one process, for oompolicyctl apply: the daemon's
 * own decision (adj_decide()) for a process nothing is remembered of. */

typedef enum ProcVerdict {
        PROC_VERDICT_SKIPPED,     /* kernel thread or zombie */
        PROC_VERDICT_NO_RULE,
        PROC_VERDICT_ALREADY_SET,
        PROC_VERDICT_CHANGED,     /* written, or would be with dry_run */
        PROC_VERDICT_FAILED,      /* see error */
} ProcVerdict;

typedef struct ProcOutcome {
        pid_t pid;
        char comm[PROC_COMM_MAX];
        const Rule *rule;
        int old_adj;
        int new_adj;
        ProcVerdict verdict;
        int error;
} ProcOutcome;

/* Reads the process through pid_fd, finds its rule, and writes the value when it
 * differs. -ESRCH when the process went away (not a failure). */
int apply_to_process(int pid_fd, pid_t pid, const Policy *p, bool dry_run, ProcOutcome *ret);
int apply_to_pid(const RootFs *fs, pid_t pid, const Policy *p, bool dry_run, ProcOutcome *ret);

/* The actionable explanation of a failed oom_score_adj write, e.g. the missing
 * CAP_SYS_RESOURCE for a lowered value. Static string. */
const char *apply_error_hint(int error, int old_adj, int new_adj);
