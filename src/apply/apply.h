/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "policy/policy.h"
#include "proc/proc-info.h"
#include "proc/rootfs.h"

/* ---- sysctls ---- */

typedef struct SysctlChange {
        SysctlId id;
        int64_t old_value;
        bool old_known;
        int64_t new_value;
        int error;      /* reading the current value failed (then old_value is meaningless), or the write failed */
} SysctlChange;

/* The sysctls of the policy whose current value differs (or cannot be read).
 * Fills changes[] (at most _SYSCTL_MAX) and returns how many. */
size_t sysctl_plan(const RootFs *fs, const Policy *p, SysctlChange changes[static _SYSCTL_MAX]);
/* Writes one planned change; records and returns the error. */
int sysctl_apply(const RootFs *fs, SysctlChange *change);

/* ---- processes ---- */

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

/* Calls fn for every PID directory in ROOT/proc, in ascending order. Stops at the
 * first negative return of fn. */
int proc_scan_pids(const RootFs *fs, int (*fn)(pid_t pid, void *userdata), void *userdata);
