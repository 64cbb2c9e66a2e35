/* SPDX-License-Identifier: MIT */
#include "apply/sysctl-apply.h"

#include <assert.h>

#include "proc/rootfs.h"

size_t sysctl_plan(const RootFs *fs, const Policy *p, SysctlChange changes[static _SYSCTL_MAX]) {
        size_t n = 0;

        assert(fs && p);
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
        assert(fs && change);
        change->error = sysctl_write_int64(fs, sysctl_info(change->id)->path, change->new_value);
        return change->error;
}

void sysctl_originals_note(SysctlOriginals *o, const SysctlChange *change) {
        assert(o && change);
        if (o->saved[change->id] || !change->old_known)
                return;
        o->saved[change->id] = true;
        o->value[change->id] = change->old_value;
}

size_t sysctl_plan_restore(SysctlOriginals *o, const Policy *p, SysctlChange changes[static _SYSCTL_MAX]) {
        size_t n = 0;

        assert(o);
        for (SysctlId id = 0; id < _SYSCTL_MAX; id++) {
                if (!o->saved[id] || (p && p->sysctl[id].set))
                        continue;
                changes[n++] = (SysctlChange) { .id = id, .new_value = o->value[id] };
                o->saved[id] = false;
        }
        return n;
}
