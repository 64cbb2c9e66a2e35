/* SPDX-License-Identifier: MIT */
#pragma once

/* Who could kill a process, and how: the kernel's OOM killer (oom_score_adj,
 * memory.oom.group), systemd's reaction to an OOM kill in a service
 * (OOMPolicy=) and systemd-oomd (ManagedOOMPreference=). Pure: the facts come
 * in a struct, one line of words goes out. */

#include <stdbool.h>

typedef struct KillerFacts {
        int oom_score_adj;
        const char *unit;               /* NULL: in no unit, or not known */
        const char *oom_policy;         /* OOMPolicy= of a service; NULL: not a service, or not known */
        bool oom_policy_applies;        /* the unit is a service (OOMPolicy= exists) */
        const char *oomd_preference;    /* "none", "avoid", "omit"; NULL: not known */
        bool user_owned;                /* a user owns the unit's cgroup: oomd ignores the preference */
        const char *oomd_mark_off;      /* the cgroup's user.oomd_* mark that disagrees with it (oomd reads the
                                         * mark); NULL: they agree, or not known */
        int oom_group;                  /* 1: memory.oom.group set (here or above), 0: not, -1: not known */
        const char *oom_group_cgroup;   /* where, when 1 */
} KillerFacts;

/* E.g. "kernel: by its size (0); kernel kills its whole cgroup /a (memory.oom.group);
 * systemd stops ssh.service if any process in it is OOM-killed (OOMPolicy=stop);
 * systemd-oomd: omitted". Returns 0 or -ENOMEM. */
int kill_verdict(const KillerFacts *f, char **ret);

/* The kernel part alone, e.g. "kernel: only if nothing else is left". */
const char *kill_verdict_kernel(int oom_score_adj);

/* The compact form for `oompolicyctl top`, at most 5 characters: G memory.oom.group,
 * S/K OOMPolicy=stop/kill, a/o systemd-oomd avoid/omit (lower case u instead when
 * a user owns the cgroup and the preference is ignored), ? for a fact not known,
 * "-" for none of these. */
void kill_verdict_flags(const KillerFacts *f, char ret[static 8]);
