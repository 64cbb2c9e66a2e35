/* SPDX-License-Identifier: MIT */
#pragma once

/* Pure decisions of `oompolicyctl top/explain/simulate` over a Snapshot: which
 * processes the OOM killer could pick, which rule governs each, the order in
 * which they would be killed. Nothing here reads files. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inspect/badness.h"
#include "policy/policy.h"
#include "inspect/snapshot.h"

/* Whether select_bad_process() can ever consider the process: not a kernel
 * thread, not the global init (PID 1), and with an mm (not a zombie or an
 * exiting task). oom_score_adj -1000 does not matter here: such a process is a
 * candidate that oom_badness() declares unkillable. */
bool inspect_is_candidate(const ProcRecord *p);

/* The rule of policy that governs the process (matcher_find_rule()), or NULL:
 * also for kernel threads and zombies, which neither apply nor the daemon ever
 * adjust. policy may be NULL. */
const Rule *inspect_find_rule(const Policy *policy, const ProcRecord *p);

/* The badness of one process with the given oom_score_adj and totalpages. */
void inspect_badness(const ProcRecord *p, int oom_score_adj, uint64_t totalpages, uint64_t page_size, Badness *ret);

typedef struct RankRequest {
        const Policy *policy;        /* NULL: no rules */
        /* false: every process keeps its current oom_score_adj (the kernel's
         * view now); true: a matching rule's value replaces it (simulate). */
        bool use_policy_values;
        /* Canonical memory cgroup path (memcg_path_normalize()): only the
         * processes in it or below; NULL: all processes. */
        const char *memcg;
        CgroupVersion memcg_version; /* which path of the records memcg refers to */
        uint64_t totalpages;         /* 0: the snapshot's global totalpages */
} RankRequest;

typedef struct RankedProcess {
        const ProcRecord *proc;
        const Rule *rule;            /* governing rule, NULL if none */
        int oom_score_adj;           /* the value the ranking used */
        Badness badness;
} RankedProcess;

typedef struct Ranking {
        /* Kill order: entries[0] is the victim if n_killable > 0, then the one
         * the next OOM would pick, and so on; the unkillable ones (adj -1000)
         * follow in the kernel's iteration order. */
        RankedProcess *entries;
        size_t n_entries;
        size_t n_killable;
        uint64_t totalpages;
} Ranking;

void ranking_done(Ranking *r);

/* Ranks the candidates (inspect_is_candidate()) of the snapshot as
 * select_bad_process() would, visiting them in for_each_process() order,
 * i.e. by start time, then PID (badness_rank() documents the tie rule).
 *
 * For a memcg OOM the kernel visits the cgroup subtree pre-order and each
 * cgroup's processes in the order they joined it; start time is used there
 * too, which can differ only for processes tied on points in different
 * cgroups or moved between cgroups. Returns 0, -EINVAL or -ENOMEM. */
int inspect_rank(const Snapshot *s, const RankRequest *req, Ranking *ret);

/* 1-based position of pid among the killable entries; 0 when it is not one. */
size_t ranking_position(const Ranking *r, pid_t pid);

/* The order of `oompolicyctl top`: by the kernel's own oom_score, highest
 * first; equal scores in the order the OOM killer would pick them (points
 * with the current oom_score_adj, then the later process first). Unless all,
 * kernel threads and processes with oom_score 0 (which the kernel never
 * picks: adj -1000, init, zombies) are left out. *ret gets indices into
 * s->procs (NULL when *ret_n is 0). Returns 0 or -ENOMEM. */
int inspect_top_order(const Snapshot *s, bool all, size_t **ret, size_t *ret_n);
