/* SPDX-License-Identifier: MIT */
#include "inspect/badness.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>

#include "shared/macro.h"

/* Every page count is capped here (1 EiB of 4 KiB pages) before it enters
 * signed arithmetic, so that points * 1000 in the oom_score formula stays
 * defined whatever garbage a caller or fuzzer hands in. Real values are far
 * below it. */
#define BADNESS_PAGES_MAX (UINT64_C(1) << 48)
/* With totalpages capped the same way, |points| stays below
 * 3 * BADNESS_PAGES_MAX + 1000 * (BADNESS_PAGES_MAX / 1000) < 2^50; a Badness
 * a caller builds by hand is clamped to this. */
#define BADNESS_POINTS_MAX ((int64_t) (UINT64_C(1) << 51))

static int64_t clamp_pages(uint64_t pages) {
        return (int64_t) MIN(pages, BADNESS_PAGES_MAX);
}

static int clamp_adj(int adj) {
        return MAX(OOM_SCORE_ADJ_MIN, MIN(adj, OOM_SCORE_ADJ_MAX));
}

/* The kernel refuses out-of-range writes to oom_score_adj, so clamping only
 * matters for hand-built input. */
static bool input_killable(const BadnessInput *in) {
        return !in->unkillable && clamp_adj(in->oom_score_adj) != OOM_SCORE_ADJ_MIN;
}

static uint64_t saturating_add(uint64_t a, uint64_t b) {
        return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

void badness_compute(const BadnessInput *in, uint64_t totalpages, uint64_t page_size, Badness *ret) {
        Badness b = {};
        int adj;

        assert(in);
        assert(ret);
        assert(page_size > 0);

        /* constrained_alloc() uses "mem_cgroup_get_max() ?: 1"; the global
         * value can never be 0. */
        if (totalpages == 0)
                totalpages = 1;
        totalpages = MIN(totalpages, BADNESS_PAGES_MAX);

        b.rss_part = clamp_pages(in->rss_pages);
        b.swap_part = clamp_pages(in->swap_pages);
        b.pgtables_part = clamp_pages(in->pgtables_bytes / page_size);

        adj = clamp_adj(in->oom_score_adj);
        if (!input_killable(in)) {
                b.killable = false;
                b.points = INT64_MIN;
                *ret = b;
                return;
        }

        b.killable = true;
        /* Truncating division first, exactly like "adj *= totalpages / 1000":
         * below 1000 pages oom_score_adj has no effect at all. */
        b.adj_part = (int64_t) adj * clamp_pages(totalpages / 1000);
        b.points = b.rss_part + b.swap_part + b.pgtables_part + b.adj_part;
        *ret = b;
}

uint64_t badness_to_oom_score(const Badness *b, uint64_t totalpages) {
        int64_t points, t, score;

        assert(b);

        if (!b->killable)
                return 0;

        t = clamp_pages(totalpages);
        if (t == 0)
                t = 1;
        points = MAX(-BADNESS_POINTS_MAX, MIN(b->points, BADNESS_POINTS_MAX));

        /* C99 division truncates towards zero like the kernel's signed long
         * division, so negative points round the same way. */
        score = (1000 + points * 1000 / t) * 2 / 3;

        /* Only reachable with a b that badness_compute() did not produce for
         * this totalpages: the kernel would print the negative value as %lu. */
        return score < 0 ? 0 : (uint64_t) score;
}

typedef struct RankEntry {
        int64_t points;
        size_t index;
} RankEntry;

static int rank_entry_compare(const void *a, const void *b) {
        const RankEntry *x = a, *y = b;

        if (x->points != y->points)
                return x->points > y->points ? -1 : 1;
        /* Equal points: the later task replaced the earlier one in
         * oom_evaluate_task(), so it comes first. */
        if (x->index != y->index)
                return x->index > y->index ? -1 : 1;
        return 0;
}

int badness_rank(const BadnessCandidate *c, size_t n, uint64_t totalpages, uint64_t page_size,
                 size_t **ret_order, size_t *ret_n_killable) {
        _cleanup_free_ RankEntry *entries = NULL;
        _cleanup_free_ size_t *order = NULL;
        size_t n_killable = 0, k = 0;

        if (!ret_order || !ret_n_killable || page_size == 0 || (n > 0 && !c))
                return -EINVAL;

        if (n == 0) {
                *ret_order = NULL;
                *ret_n_killable = 0;
                return 0;
        }

        entries = calloc(n, sizeof(RankEntry));
        order = calloc(n, sizeof(size_t));
        if (!entries || !order)
                return -ENOMEM;

        for (size_t i = 0; i < n; i++) {
                Badness b;

                badness_compute(&c[i].input, totalpages, page_size, &b);
                if (!b.killable)
                        continue;
                entries[n_killable++] = (RankEntry) { .points = b.points, .index = i };
        }

        qsort(entries, n_killable, sizeof(RankEntry), rank_entry_compare);

        for (size_t i = 0; i < n_killable; i++)
                order[k++] = entries[i].index;

        /* Unkillable ones after, in input order, so callers can list them. */
        for (size_t i = 0; i < n; i++)
                if (!input_killable(&c[i].input))
                        order[k++] = i;
        assert(k == n);

        *ret_order = TAKE_PTR(order);
        *ret_n_killable = n_killable;
        return 0;
}

/* MemTotal/SwapTotal are page counts shifted left by PAGE_SHIFT - 10, so the
 * division is exact for any page size the kernel supports. */
static uint64_t kb_to_pages(uint64_t kb, uint64_t page_size) {
        return kb / (page_size / 1024);
}

static bool page_size_valid(uint64_t page_size) {
        return page_size >= 1024 && page_size % 1024 == 0;
}

uint64_t meminfo_totalpages(const MemInfo *m, uint64_t page_size) {
        assert(m);

        if (!page_size_valid(page_size))
                return 0;

        return saturating_add(kb_to_pages(m->mem_total_kb, page_size),
                              kb_to_pages(m->swap_total_kb, page_size));
}

int memcg_totalpages(const MemcgLimits *l, uint64_t total_ram_pages, uint64_t total_swap_pages,
                     uint64_t page_size, uint64_t *ret) {
        uint64_t page_counter_max, mem, max;

        if (!l || !ret || page_size == 0)
                return -EINVAL;
        if (l->version != CGROUP_V1 && l->version != CGROUP_V2)
                return -EINVAL;

        /* PAGE_COUNTER_MAX on 64-bit kernels: LONG_MAX / PAGE_SIZE. It is what
         * "max" and v1's -1 are stored as, and no limit can exceed it. */
        page_counter_max = (uint64_t) INT64_MAX / page_size;

        mem = l->memory_max / page_size;
        if (mem >= page_counter_max) {
                *ret = saturating_add(total_ram_pages, total_swap_pages);
                return 1;
        }

        max = mem;
        if (l->swappiness > 0) {
                uint64_t swap = MIN(l->swap_max / page_size, page_counter_max);

                /* memsw is memory + swap. The kernel refuses memsw < memory, but
                 * two separate reads can race with a resize, so do not wrap. */
                if (l->version == CGROUP_V1)
                        swap = swap > mem ? swap - mem : 0;

                max += MIN(swap, total_swap_pages);
        }

        *ret = max > 0 ? max : 1;
        return 0;
}

int badness_input_from_status(const ProcMemory *m, int oom_score_adj, bool unkillable,
                              uint64_t page_size, BadnessInput *ret) {
        uint64_t rss_kb;

        if (!m || !ret || !page_size_valid(page_size))
                return -EINVAL;

        /* task_mem() prints VmRSS as the sum of the three Rss* counters, i.e.
         * get_mm_rss(); the split is merely absent before 4.5. */
        rss_kb = m->has_rss_split ?
                saturating_add(saturating_add(m->rss_anon_kb, m->rss_file_kb), m->rss_shmem_kb) :
                m->vm_rss_kb;

        *ret = (BadnessInput) {
                .rss_pages = kb_to_pages(rss_kb, page_size),
                .swap_pages = kb_to_pages(m->vm_swap_kb, page_size),
                /* VmPTE is mm_pgtables_bytes() >> 10; page tables come in
                 * whole pages (or 2 KiB halves on s390), so nothing is lost. */
                .pgtables_bytes = m->vm_pte_kb > UINT64_MAX / 1024 ? UINT64_MAX : m->vm_pte_kb * 1024,
                .oom_score_adj = oom_score_adj,
                .unkillable = unkillable,
        };
        return 0;
}
