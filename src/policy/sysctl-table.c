/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "shared/macro.h"
#include "policy/sysctl-table.h"

/* Ranges are what the kernel itself accepts (proc_dointvec_minmax bounds, or the
 * type's range where the kernel has none), so a value we accept never fails to write. */
static const SysctlInfo table[_SYSCTL_MAX] = {
        [SYSCTL_OVERCOMMIT_MEMORY] = { "vm.overcommit_memory", "vm/overcommit_memory", 0, 2 },
        [SYSCTL_OVERCOMMIT_RATIO] = { "vm.overcommit_ratio", "vm/overcommit_ratio", 0, INT_MAX },
        [SYSCTL_OVERCOMMIT_KBYTES] = { "vm.overcommit_kbytes", "vm/overcommit_kbytes", 0, INT64_MAX },
        [SYSCTL_PANIC_ON_OOM] = { "vm.panic_on_oom", "vm/panic_on_oom", 0, 2 },
        [SYSCTL_OOM_KILL_ALLOCATING_TASK] = { "vm.oom_kill_allocating_task", "vm/oom_kill_allocating_task", 0, 1 },
        [SYSCTL_OOM_DUMP_TASKS] = { "vm.oom_dump_tasks", "vm/oom_dump_tasks", 0, 1 },
        [SYSCTL_ADMIN_RESERVE_KBYTES] = { "vm.admin_reserve_kbytes", "vm/admin_reserve_kbytes", 0, INT64_MAX },
        [SYSCTL_USER_RESERVE_KBYTES] = { "vm.user_reserve_kbytes", "vm/user_reserve_kbytes", 0, INT64_MAX },
        [SYSCTL_KERNEL_PANIC] = { "kernel.panic", "kernel/panic", INT_MIN, INT_MAX },
};

const SysctlInfo *sysctl_info(SysctlId id) {
        if (id < 0 || id >= _SYSCTL_MAX)
                return NULL;
        return &table[id];
}

SysctlId sysctl_from_key(const char *key) {
        for (SysctlId id = 0; id < _SYSCTL_MAX; id++) {
                if (strcmp(key, table[id].key) == 0 || strcmp(key, table[id].path) == 0)
                        return id;
        }
        return _SYSCTL_INVALID;
}
