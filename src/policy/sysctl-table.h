/* SPDX-License-Identifier: MIT */
#pragma once

#include <errno.h>
#include <stdint.h>

/* The kernel tunables a policy may set. Anything else in [sysctl] is an error. */
typedef enum SysctlId {
        SYSCTL_OVERCOMMIT_MEMORY,
        SYSCTL_OVERCOMMIT_RATIO,
        SYSCTL_OVERCOMMIT_KBYTES,
        SYSCTL_PANIC_ON_OOM,
        SYSCTL_OOM_KILL_ALLOCATING_TASK,
        SYSCTL_OOM_DUMP_TASKS,
        SYSCTL_ADMIN_RESERVE_KBYTES,
        SYSCTL_USER_RESERVE_KBYTES,
        SYSCTL_KERNEL_PANIC,
        _SYSCTL_MAX,
        _SYSCTL_INVALID = -EINVAL,
} SysctlId;

typedef struct SysctlInfo {
        const char *key;   /* "vm.overcommit_memory" */
        const char *path;  /* relative to /proc/sys: "vm/overcommit_memory" */
        int64_t min, max;
} SysctlInfo;

const SysctlInfo *sysctl_info(SysctlId id);
/* Accepts the dotted form and the slash form ("vm/overcommit_memory"). */
SysctlId sysctl_from_key(const char *key);
