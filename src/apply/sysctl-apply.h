/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"
#include "proc/rootfs.h"

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

/* The values from before the daemon changed them, to be given back when a
 * reloaded policy drops a sysctl, or at exit with restore_on_exit. */
typedef struct SysctlOriginals {
        bool saved[_SYSCTL_MAX];
        int64_t value[_SYSCTL_MAX];
} SysctlOriginals;

/* After change was written: remembers its old value, unless one is remembered
 * already (a reload writing again must not take our own value for the original). */
void sysctl_originals_note(SysctlOriginals *o, const SysctlChange *change);
/* The writes that give back the originals of sysctls p does not set (p == NULL:
 * of all of them), which are forgotten now whether the write works or not.
 * Fills changes[] and returns how many. */
size_t sysctl_plan_restore(SysctlOriginals *o, const Policy *p, SysctlChange changes[static _SYSCTL_MAX]);
