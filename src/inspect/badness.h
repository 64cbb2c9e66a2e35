/* SPDX-License-Identifier: MIT */
#pragma once

/* The kernel's OOM victim selection math, reproduced as pure functions so that
 * `oompolicyctl top/explain/simulate` can show what the kernel would do.
 *
 * Modelled on Linux 5.9+ (checked against 6.x) mm/oom_kill.c oom_badness(),
 * oom_evaluate_task(), select_bad_process(), constrained_alloc(),
 * mm/memcontrol.c mem_cgroup_get_max() and fs/proc/base.c proc_oom_score().
 * Differences in older kernels are noted at each function.
 *
 * Units: "pages" are of the page_size passed in (sysconf(_SC_PAGESIZE)).
 * Nothing here reads files; see meminfo.h for the parsers. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "inspect/meminfo.h"

#define OOM_SCORE_ADJ_MIN (-1000)
#define OOM_SCORE_ADJ_MAX 1000

typedef struct BadnessInput {
        uint64_t rss_pages;        /* anon + file + shmem resident pages (get_mm_rss) */
        uint64_t swap_pages;       /* MM_SWAPENTS */
        uint64_t pgtables_bytes;   /* mm_pgtables_bytes */
        int oom_score_adj;         /* -1000..1000; values outside are clamped */
        bool unkillable;           /* kernel thread, global init, no mm, MMF_OOM_SKIP, in vfork */
} BadnessInput;

typedef struct Badness {
        bool killable;             /* false for adj == -1000 or unkillable */
        int64_t points;            /* oom_badness(); INT64_MIN (the kernel's LONG_MIN) if !killable */
        /* The breakdown, in pages; points == sum of the four when killable.
         * The memory parts are filled even when !killable so `explain` can
         * show them; adj_part is then 0. */
        int64_t rss_part, swap_part, pgtables_part, adj_part;
} Badness;

/* oom_badness() for one task:
 *
 *     points = rss + swapents + pgtables_bytes / PAGE_SIZE
 *            + oom_score_adj * (totalpages / 1000)
 *
 * with C integer division, so the adj term is 0 when totalpages < 1000. The
 * result can be negative (strongly negative adj) and that is what the kernel
 * compares. totalpages 0 is treated as 1, as constrained_alloc() does for a
 * memcg limit of 0.
 *
 * Older kernels: before 5.9 the result was unsigned, 0 meant "unkillable" and
 * killable tasks were clamped to at least 1; before 4.17 CAP_SYS_ADMIN tasks
 * got a 3% discount (points -= points * 3 / 100) before adding adj; before
 * 4.15 the page table term was nr_ptes (+ nr_pmds) in pages. */
void badness_compute(const BadnessInput *in, uint64_t totalpages, uint64_t page_size, Badness *ret);

/* /proc/PID/oom_score as proc_oom_score() derives it (Linux 5.9+):
 *
 *     oom_score = (1000 + points * 1000 / totalpages) * 2 / 3
 *
 * evaluated in signed 64-bit with truncating division, 0 when !killable. For
 * adj >= -999 the inner term is >= 1, so the result is in [0, 2000]; a task
 * with no memory and adj 0 reads 666. totalpages must be the global value
 * (MemTotal + SwapTotal pages) and b must have been computed with it: the
 * file never reflects memcg limits.
 *
 * Before 5.9 the kernel exported points * 1000 / totalpages instead (range
 * 0..1000, with the pre-5.9 points described above). */
uint64_t badness_to_oom_score(const Badness *b, uint64_t totalpages);

typedef struct BadnessCandidate {
        pid_t pid;
        const char *name;          /* borrowed, may be NULL; not used for ranking */
        BadnessInput input;
        const void *userdata;      /* opaque to us */
} BadnessCandidate;

/* Ranks candidates the way select_bad_process() picks among them. c[] must be
 * in the kernel's iteration order: for a global OOM that is for_each_process()
 * order, i.e. ascending task creation (pass them sorted by start time, then
 * pid); for a memcg OOM, mem_cgroup_scan_tasks() walks the cgroup subtree
 * pre-order and each cgroup's processes in its own order.
 *
 * oom_evaluate_task() skips a task when points < chosen_points, so a later
 * task with *equal* points replaces the chosen one: the last of the tied
 * candidates is the victim. The order returned is the sequence of victims if
 * the scan were repeated after each kill: points descending, ties broken by
 * higher index first. Unkillable candidates follow, in input order.
 *
 * *ret_order gets a newly allocated array of n indices into c[] (NULL when
 * n == 0); the first *ret_n_killable of them are killable, so ret_order[0] is
 * the victim iff *ret_n_killable > 0. Returns 0, -EINVAL or -ENOMEM.
 *
 * Not modelled: oom_task_origin() tasks (swapoff, KSM unmerge) are picked
 * outright; an existing OOM victim without MMF_OOM_SKIP aborts the scan;
 * vm.oom_kill_allocating_task picks the allocating task; cpuset/mempolicy
 * eligibility; memory.oom.group kills the whole cgroup after the pick. Older
 * kernels (the check is in 4.x, gone by 5.9) did not let a tie replace a
 * chosen thread group leader ("prefer thread group leaders for display
 * purposes"); as for_each_process() only visits leaders, the *first* tied
 * process won a global OOM there. */
int badness_rank(const BadnessCandidate *c, size_t n, uint64_t totalpages, uint64_t page_size,
                 size_t **ret_order, size_t *ret_n_killable);

/* Global totalpages, totalram_pages() + total_swap_pages, from /proc/meminfo:
 * MemTotal and SwapTotal are those counters shifted to kB, so the conversion
 * is exact. (During swapoff SwapTotal also counts the pages still to be
 * unused; that transient difference is ignored.) Returns 0 unless page_size
 * is a positive multiple of 1024. */
uint64_t meminfo_totalpages(const MemInfo *m, uint64_t page_size);

typedef enum CgroupVersion {
        CGROUP_V1 = 1,
        CGROUP_V2 = 2,
} CgroupVersion;

typedef struct MemcgLimits {
        CgroupVersion version;
        /* Bytes as parse_cgroup_limit() returns them (UINT64_MAX for "max").
         * v2: memory.max. v1: memory.limit_in_bytes. */
        uint64_t memory_max;
        /* v2: memory.swap.max (swap alone).
         * v1: memory.memsw.limit_in_bytes (memory + swap!); UINT64_MAX when
         * the file is absent (swap accounting off), which the kernel treats
         * as unlimited too. */
        uint64_t swap_max;
        /* v1: the cgroup's memory.swappiness. v2 has no per-cgroup knob; pass
         * vm.swappiness. With 0, swap does not count towards the limit. */
        unsigned swappiness;
} MemcgLimits;

/* totalpages for an OOM inside this memcg, as constrained_alloc() computes
 * it: mem_cgroup_get_max() ?: 1, where mem_cgroup_get_max() (5.10+) is
 *
 *     max = memory.max
 *     if swappiness:  v2: max += min(swap.max, total_swap_pages)
 *                     v1: max += min(memsw.max - memory.max, total_swap_pages)
 *
 * all in pages (bytes / page_size, as the kernel stores limits). Before 5.10
 * it was min(max + min(swap.max, total_swap_pages), memsw.max), which gives
 * the same result for any limits the kernel accepts.
 *
 * An unlimited memory.max ("max" in v2, >= PAGE_COUNTER_MAX pages in v1) can
 * never trigger an OOM in this cgroup: the kernel's formula would produce a
 * meaningless ~2^51. In that case this returns 1 and stores the global
 * totalpages (total_ram_pages + total_swap_pages), i.e. what governs a
 * process there unless a limited ancestor's own totalpages is used instead —
 * callers wanting that should walk up the tree. Returns 0 for a limited
 * cgroup, -EINVAL for a bad version or page_size. */
int memcg_totalpages(const MemcgLimits *l, uint64_t total_ram_pages, uint64_t total_swap_pages,
                     uint64_t page_size, uint64_t *ret);

/* BadnessInput from a parsed /proc/PID/status (kB → pages / bytes). rss is
 * RssAnon + RssFile + RssShmem when present, else VmRSS (same sum). adj and
 * unkillable come from elsewhere (/proc/PID/oom_score_adj, flags, pid).
 * Returns -EINVAL if page_size < 1024 or not a multiple of 1024. */
int badness_input_from_status(const ProcMemory *m, int oom_score_adj, bool unkillable,
                              uint64_t page_size, BadnessInput *ret);
