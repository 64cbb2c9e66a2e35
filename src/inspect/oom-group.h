/* SPDX-License-Identifier: MIT */
#pragma once

/* cgroup v2 memory.oom.group: when the kernel's OOM killer picks a process in
 * a cgroup that has it (or below an ancestor that has it, up to the OOM
 * domain), it kills every process of the highest such cgroup, except those
 * with oom_score_adj -1000 (mem_cgroup_get_oom_group(), mm/memcontrol.c). */

#include <stdbool.h>

#include "inspect/inspect.h"
#include "inspect/memcg.h"

/* The cgroup the kernel would kill whole when it picks a process of the cgroup
 * at path, for an OOM in domain (NULL or "/": a global OOM): the highest
 * cgroup from path up to, and not above, domain whose memory.oom.group is 1.
 * The root cgroup has no memory.oom.group. *ret is NULL when there is none.
 * Only for v2 mounts (-EOPNOTSUPP for v1, which has no such flag); paths in
 * canonical form (memcg_path_normalize()). A cgroup whose file is missing or
 * unreadable counts as not set. */
int oom_group_find(const RootFs *fs, const MemcgMount *m, const char *path, const char *domain, char **ret);

/* Pure. The processes of the ranking that a group kill of the cgroup v2 group
 * kills: those in it or below, except oom_score_adj -1000 (the value the
 * ranking used); in ranking order. *ret is NULL when there are none. Returns 0
 * or -ENOMEM. */
int oom_group_members(const Ranking *r, const char *group, pid_t **ret, size_t *ret_n);
