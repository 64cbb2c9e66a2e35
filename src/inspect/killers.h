/* SPDX-License-Identifier: MIT */
#pragma once

/* The facts behind kill_verdict() for one process, read from /proc, the cgroup
 * tree and (when there is one) systemd over the system bus. Without a bus the
 * unit comes from /proc/PID/cgroup and its properties stay unknown; nothing
 * here fails for a missing fact. */

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "inspect/memcg.h"
#include "inspect/verdict.h"

typedef struct KillerInfo {
        char *unit;                /* NULL: in no unit */
        char *cgroup;              /* the unit tree's cgroup path of the process */
        char *oom_policy;          /* NULL: not a service, or unknown */
        char *oomd_preference;     /* NULL: unknown */
        char *oom_group_cgroup;
        int oom_group;             /* 1, 0, -1 unknown (v1, unreadable) */
        bool oom_policy_applies;   /* a .service */
        bool user_owned;
        const char *oomd_mark_off; /* the user.oomd_* mark that disagrees with oomd_preference; NULL: none, or unknown */
} KillerInfo;

void killer_info_done(KillerInfo *k);

/* bus and mount may be NULL (no bus; no memory controller found). With
 * ask_unit, the unit is systemd's answer (GetUnitByPID, a bus call), else the
 * shape of the cgroup path (for many processes: top). Returns 0, -ESRCH when
 * the process is gone, or -ENOMEM. */
int killer_info_read(const RootFs *fs, sd_bus *bus, const MemcgMount *mount, pid_t pid, bool ask_unit,
                     KillerInfo *ret);

KillerFacts killer_info_facts(const KillerInfo *k, int oom_score_adj);
