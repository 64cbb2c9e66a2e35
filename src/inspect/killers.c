/* SPDX-License-Identifier: MIT */
#include "inspect/killers.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apply/oomd-pref.h"
#include "inspect/oom-group.h"
#include "inspect/unit-bus.h"
#include "inspect/unit-pref.h"
#include "shared/string-util.h"

void killer_info_done(KillerInfo *k) {
        assert(k);
        free(k->unit);
        free(k->cgroup);
        free(k->oom_policy);
        free(k->oomd_preference);
        free(k->oom_group_cgroup);
        *k = (KillerInfo) { .oom_group = -1 };
}

int killer_info_read(const RootFs *fs, sd_bus *bus, const MemcgMount *mount, pid_t pid, bool ask_unit,
                     KillerInfo *ret) {
        _cleanup_close_ int pid_fd = -EBADF;
        KillerInfo k = { .oom_group = -1 };
        uid_t owner;
        int r;

        assert(fs);
        assert(ret);

        r = proc_pid_open(fs, pid, &pid_fd);
        if (r < 0)
                return r;
        r = unit_of_process(pid_fd, &k.unit, &k.cgroup);
        if (r == -ENOMEM)
                return r;
        if (bus && ask_unit) {
                char *unit = NULL;

                /* systemd's own answer beats the cgroup path's shape. */
                if (unit_bus_unit_of_pid(bus, pid, &unit) >= 0) {
                        free(k.unit);
                        k.unit = unit;
                }
        }
        if (k.unit) {
                k.oom_policy_applies = endswith(k.unit, ".service");
                if (bus) {
                        if (k.oom_policy_applies)
                                (void) unit_bus_get_property_string(bus, k.unit, "org.freedesktop.systemd1.Service",
                                                                    "OOMPolicy", &k.oom_policy);
                        (void) unit_pref_read(bus, k.unit, &k.oomd_preference);
                }
        }
        if (k.cgroup && unit_cgroup_owner(fs, k.cgroup, &owner) >= 0)
                k.user_owned = owner != 0;
        if (k.cgroup && k.oomd_preference) {
                OomdXattrPlan plan;
                bool avoid, omit;

                if (unit_cgroup_oomd_xattrs(fs, k.cgroup, &avoid, &omit) >= 0 &&
                    oomd_xattr_plan(k.oomd_preference, avoid, omit, &plan))
                        k.oomd_mark_off = oomd_xattr_name_for(k.oomd_preference, avoid, omit);
        }
        if (k.cgroup && mount && mount->version == CGROUP_V2) {
                _cleanup_free_ char *path = NULL;

                if (memcg_path_normalize(k.cgroup, &path) >= 0) {
                        r = oom_group_find(fs, mount, path, NULL, &k.oom_group_cgroup);
                        if (r == -ENOMEM) {
                                killer_info_done(&k);
                                return r;
                        }
                        if (r >= 0)
                                k.oom_group = k.oom_group_cgroup ? 1 : 0;
                }
        }
        *ret = k;
        return 0;
}

KillerFacts killer_info_facts(const KillerInfo *k, int oom_score_adj) {
        assert(k);
        return (KillerFacts) {
                .oom_score_adj = oom_score_adj,
                .unit = k->unit,
                .oom_policy = k->oom_policy,
                .oom_policy_applies = k->oom_policy_applies,
                .oomd_preference = k->oomd_preference,
                .user_owned = k->user_owned,
                .oomd_mark_off = k->oomd_mark_off,
                .oom_group = k->oom_group,
                .oom_group_cgroup = k->oom_group_cgroup,
        };
}
