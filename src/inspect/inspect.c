/* SPDX-License-Identifier: MIT */
#include "inspect/inspect.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/memcg.h"
#include "match/matcher.h"

bool inspect_is_candidate(const ProcRecord *p) {
        assert(p);
        return p->has_mm && p->info.pid != 1 && !proc_info_is_kernel_thread(&p->info) &&
               !proc_info_is_zombie(&p->info);
}

const Rule *inspect_find_rule(const Policy *policy, const ProcRecord *p) {
        assert(p);
        if (!policy || proc_info_is_kernel_thread(&p->info) || proc_info_is_zombie(&p->info))
                return NULL;
        return matcher_find_rule(policy, &p->info);
}

static int badness_input(const ProcRecord *p, int oom_score_adj, uint64_t page_size, BadnessInput *ret) {
        static const ProcMemory no_memory = {};

        return badness_input_from_status(p->has_mm ? &p->memory : &no_memory, oom_score_adj,
                                         !inspect_is_candidate(p), page_size, ret);
}

void inspect_badness(const ProcRecord *p, int oom_score_adj, uint64_t totalpages, uint64_t page_size, Badness *ret) {
        BadnessInput in = { .unkillable = true };

        assert(p && ret);
        /* Only an invalid page size fails; then everything counts as unkillable. */
        (void) badness_input(p, oom_score_adj, page_size, &in);
        badness_compute(&in, totalpages, page_size ?: 1, ret);
}

void ranking_done(Ranking *r) {
        if (!r)
                return;
        free(r->entries);
        *r = (Ranking) {};
}

static const char *record_memcg(const ProcRecord *p, CgroupVersion v) {
        return v == CGROUP_V1 ? p->memcg_v1 : p->cgroup_v2;
}

/* for_each_process() order: tasks are appended to the task list at fork. */
static int compare_creation(const void *a, const void *b, void *userdata) {
        const ProcRecord *procs = userdata;
        const ProcInfo *x = &procs[*(const size_t *) a].info, *y = &procs[*(const size_t *) b].info;

        if (x->start_time != y->start_time)
                return x->start_time < y->start_time ? -1 : 1;
        return x->pid < y->pid ? -1 : x->pid > y->pid;
}

int inspect_rank(const Snapshot *s, const RankRequest *req, Ranking *ret) {
        _cleanup_free_ size_t *visit = NULL, *order = NULL;
        _cleanup_free_ BadnessCandidate *candidates = NULL;
        _cleanup_free_ RankedProcess *visited = NULL, *entries = NULL;
        size_t n = 0, n_killable = 0;
        uint64_t totalpages;
        int r;

        if (!s || !req || !ret)
                return -EINVAL;
        totalpages = req->totalpages ?: s->totalpages;

        visit = calloc(MAX(s->n_procs, 1u), sizeof(size_t));
        if (!visit)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_procs; i++) {
                const ProcRecord *p = &s->procs[i];

                if (!inspect_is_candidate(p))
                        continue;
                if (req->memcg && !memcg_path_contains(req->memcg, record_memcg(p, req->memcg_version)))
                        continue;
                visit[n++] = i;
        }
        qsort_r(visit, n, sizeof(size_t), compare_creation, s->procs);

        candidates = calloc(MAX(n, 1u), sizeof(BadnessCandidate));
        visited = calloc(MAX(n, 1u), sizeof(RankedProcess));
        entries = calloc(MAX(n, 1u), sizeof(RankedProcess));
        if (!candidates || !visited || !entries)
                return -ENOMEM;

        for (size_t k = 0; k < n; k++) {
                const ProcRecord *p = &s->procs[visit[k]];
                RankedProcess *v = &visited[k];

                v->proc = p;
                v->rule = inspect_find_rule(req->policy, p);
                v->oom_score_adj = req->use_policy_values && v->rule ? v->rule->oom_score_adj : p->info.oom_score_adj;
                candidates[k].pid = p->info.pid;
                candidates[k].name = p->info.comm;
                r = badness_input(p, v->oom_score_adj, s->page_size, &candidates[k].input);
                if (r < 0)
                        return r;
                badness_compute(&candidates[k].input, totalpages, s->page_size, &v->badness);
        }

        r = badness_rank(candidates, n, totalpages, s->page_size, &order, &n_killable);
        if (r < 0)
                return r;
        for (size_t k = 0; k < n; k++)
                entries[k] = visited[order[k]];

        *ret = (Ranking) {
                .entries = TAKE_PTR(entries),
                .n_entries = n,
                .n_killable = n_killable,
                .totalpages = totalpages,
        };
        return 0;
}

size_t ranking_position(const Ranking *r, pid_t pid) {
        assert(r);
        for (size_t i = 0; i < r->n_killable; i++)
                if (r->entries[i].proc->info.pid == pid)
                        return i + 1;
        return 0;
}

typedef struct TopKey {
        uint64_t oom_score;
        int64_t points;
        const ProcInfo *info;
        size_t index;
} TopKey;

static int compare_top(const void *a, const void *b) {
        const TopKey *x = a, *y = b;

        if (x->oom_score != y->oom_score)
                return x->oom_score > y->oom_score ? -1 : 1;
        if (x->points != y->points)
                return x->points > y->points ? -1 : 1;
        /* On a tie the kernel keeps the last one it visited: the later process. */
        if (x->info->start_time != y->info->start_time)
                return x->info->start_time > y->info->start_time ? -1 : 1;
        return x->info->pid > y->info->pid ? -1 : x->info->pid < y->info->pid;
}

int inspect_top_order(const Snapshot *s, bool all, size_t **ret, size_t *ret_n) {
        _cleanup_free_ TopKey *keys = NULL;
        _cleanup_free_ size_t *order = NULL;
        size_t n = 0;

        if (!s || !ret || !ret_n)
                return -EINVAL;

        keys = calloc(MAX(s->n_procs, 1u), sizeof(TopKey));
        if (!keys)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_procs; i++) {
                const ProcRecord *p = &s->procs[i];
                Badness b;

                if (!all && (proc_info_is_kernel_thread(&p->info) || p->oom_score == 0))
                        continue;
                inspect_badness(p, p->info.oom_score_adj, s->totalpages, s->page_size, &b);
                keys[n++] = (TopKey) { .oom_score = p->oom_score, .points = b.points, .info = &p->info, .index = i };
        }
        qsort(keys, n, sizeof(TopKey), compare_top);

        if (n > 0) {
                order = calloc(n, sizeof(size_t));
                if (!order)
                        return -ENOMEM;
                for (size_t i = 0; i < n; i++)
                        order[i] = keys[i].index;
        }
        *ret = TAKE_PTR(order);
        *ret_n = n;
        return 0;
}
