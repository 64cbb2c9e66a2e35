/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "test-util.h"
#include "inspect/badness.h"
#include "shared/macro.h"
#include "inspect/meminfo.h"

#define PAGE 4096
/* 4,000,000 pages: totalpages / 1000 = 4000 pages per oom_score_adj unit. */
#define T4M UINT64_C(4000000)

static Badness compute(uint64_t rss, uint64_t swap, uint64_t pt_bytes, int adj, bool unkillable, uint64_t totalpages) {
        BadnessInput in = {
                .rss_pages = rss,
                .swap_pages = swap,
                .pgtables_bytes = pt_bytes,
                .oom_score_adj = adj,
                .unkillable = unkillable,
        };
        Badness b;

        badness_compute(&in, totalpages, PAGE, &b);
        return b;
}

static void test_plain(void **state) {
        /* rss 100000 + swap 20000 + 409600 / 4096 = 100 pgtable pages, adj 0:
         * points = 120100. */
        Badness b = compute(100000, 20000, 409600, 0, false, T4M);

        assert_true(b.killable);
        assert_int_equal(b.rss_part, 100000);
        assert_int_equal(b.swap_part, 20000);
        assert_int_equal(b.pgtables_part, 100);
        assert_int_equal(b.adj_part, 0);
        assert_int_equal(b.points, 120100);
        /* 120100 * 1000 / 4000000 = 30 (30.025 truncated);
         * (1000 + 30) * 2 / 3 = 2060 / 3 = 686. */
        assert_int_equal(badness_to_oom_score(&b, T4M), 686);

        /* Page tables are truncated to whole pages: 8191 bytes -> 1 page. */
        b = compute(0, 0, 8191, 0, false, T4M);
        assert_int_equal(b.pgtables_part, 1);
        assert_int_equal(b.points, 1);

        /* No memory, adj 0: (1000 + 0) * 2 / 3 = 666, what most idle tasks show. */
        b = compute(0, 0, 0, 0, false, T4M);
        assert_int_equal(b.points, 0);
        assert_int_equal(badness_to_oom_score(&b, T4M), 666);
}

static void test_adj(void **state) {
        Badness b;

        /* adj +500: 500 * (4000000 / 1000) = 2000000; points = 120100 + 2000000
         * = 2120100; * 1000 / 4000000 = 530 (530.025); 1530 * 2 / 3 = 1020. */
        b = compute(100000, 20000, 409600, 500, false, T4M);
        assert_int_equal(b.adj_part, 2000000);
        assert_int_equal(b.points, 2120100);
        assert_int_equal(badness_to_oom_score(&b, T4M), 1020);

        /* adj -500: points = 120100 - 2000000 = -1879900; * 1000 / 4000000 =
         * -469 (-469.975 truncated towards zero, not floored to -470);
         * (1000 - 469) * 2 / 3 = 1062 / 3 = 354. */
        b = compute(100000, 20000, 409600, -500, false, T4M);
        assert_true(b.killable);
        assert_int_equal(b.adj_part, -2000000);
        assert_int_equal(b.points, -1879900);
        assert_int_equal(badness_to_oom_score(&b, T4M), 354);

        /* adj +1000, no memory: 1000 * 4000 = 4000000 points; 1000 + 1000 =
         * 2000; * 2 / 3 = 1333. */
        b = compute(0, 0, 0, 1000, false, T4M);
        assert_int_equal(b.points, 4000000);
        assert_int_equal(badness_to_oom_score(&b, T4M), 1333);

        /* Out-of-range adj is clamped: 5000 acts as 1000, -5000 as -1000. */
        b = compute(0, 0, 0, 5000, false, T4M);
        assert_int_equal(b.adj_part, 4000000);
        b = compute(0, 0, 0, -5000, false, T4M);
        assert_false(b.killable);
}

static void test_unkillable(void **state) {
        Badness b;

        /* adj -1000 is OOM_SCORE_ADJ_MIN: oom_badness() returns LONG_MIN. */
        b = compute(100000, 20000, 409600, -1000, false, T4M);
        assert_false(b.killable);
        assert_true(b.points == INT64_MIN);
        assert_int_equal(b.adj_part, 0);
        /* The memory breakdown stays for `explain`. */
        assert_int_equal(b.rss_part, 100000);
        assert_int_equal(b.pgtables_part, 100);
        assert_int_equal(badness_to_oom_score(&b, T4M), 0);

        /* Kernel thread / init / no mm: unkillable whatever the adj. */
        b = compute(100000, 0, 0, 1000, true, T4M);
        assert_false(b.killable);
        assert_true(b.points == INT64_MIN);
        assert_int_equal(badness_to_oom_score(&b, T4M), 0);
}

static void test_negative(void **state) {
        Badness b;

        /* rss 1000, adj -999: 1000 - 999 * 4000 = 1000 - 3996000 = -3995000.
         * Still killable: the kernel compares the negative number.
         * -3995000 * 1000 / 4000000 = -998 (-998.75 truncated);
         * (1000 - 998) * 2 / 3 = 4 / 3 = 1. */
        b = compute(1000, 0, 0, -999, false, T4M);
        assert_true(b.killable);
        assert_int_equal(b.points, -3995000);
        assert_int_equal(badness_to_oom_score(&b, T4M), 1);

        /* No memory, adj -999: -3996000 * 1000 / 4000000 = -999;
         * (1000 - 999) * 2 / 3 = 2 / 3 = 0. Killable, yet oom_score 0 — the
         * same reading as an unkillable task. For adj >= -999 the inner term
         * never goes below 1, so the score is never negative. */
        b = compute(0, 0, 0, -999, false, T4M);
        assert_true(b.killable);
        assert_int_equal(b.points, -3996000);
        assert_int_equal(badness_to_oom_score(&b, T4M), 0);

        /* A hand-built Badness whose points do not fit this totalpages would
         * go negative; we report 0 instead of the kernel's %lu wrap-around. */
        b = (Badness) { .killable = true, .points = -10 * (int64_t) T4M };
        assert_int_equal(badness_to_oom_score(&b, T4M), 0);
}

static void test_small_totalpages(void **state) {
        Badness b;

        /* totalpages 999: 999 / 1000 = 0, so even adj +1000 adds nothing. */
        b = compute(500, 0, 0, 1000, false, 999);
        assert_int_equal(b.adj_part, 0);
        assert_int_equal(b.points, 500);
        /* 500 * 1000 / 999 = 500 (500.5); 1500 * 2 / 3 = 1000. */
        assert_int_equal(badness_to_oom_score(&b, 999), 1000);

        b = compute(500, 0, 0, -999, false, 999);
        assert_int_equal(b.points, 500);

        /* totalpages 1999: 1999 / 1000 = 1, so adj counts 1 page per unit. */
        b = compute(500, 0, 0, 1000, false, 1999);
        assert_int_equal(b.adj_part, 1000);
        assert_int_equal(b.points, 1500);

        /* totalpages 0 (memcg limit 0) behaves as 1: 7 * 1000 / 1 = 7000;
         * (1000 + 7000) * 2 / 3 = 5333. */
        b = compute(7, 0, 0, 0, false, 0);
        assert_int_equal(b.points, 7);
        assert_int_equal(badness_to_oom_score(&b, 0), 5333);
}

static void test_huge_values_do_not_overflow(void **state) {
        const int64_t cap = INT64_C(1) << 48;
        Badness b = compute(UINT64_MAX, UINT64_MAX, UINT64_MAX, 1000, false, UINT64_MAX);

        /* Every count, totalpages included, is capped at 2^48 pages before the
         * signed math: points = 3 * 2^48 + 1000 * (2^48 / 1000). */
        assert_true(b.killable);
        assert_true(b.points == 3 * cap + 1000 * (cap / 1000));
        /* points * 1000 / 2^48 = 3999 (3999.99...); 4999 * 2 / 3 = 3332. Above
         * 2000 because the memory exceeds totalpages, which real input can't. */
        assert_int_equal(badness_to_oom_score(&b, UINT64_MAX), 3332);

        b = (Badness) { .killable = true, .points = INT64_MAX };
        /* Clamped to 2^51: 2^51 * 1000 / 2^48 = 8000; 9000 * 2 / 3 = 6000. */
        assert_int_equal(badness_to_oom_score(&b, UINT64_MAX), 6000);
}

#define CAND(p, rss, adj, unk) { .pid = (p), .name = #p, .input = { .rss_pages = (rss), .oom_score_adj = (adj), .unkillable = (unk) } }

static void test_rank(void **state) {
        /* totalpages 4M and adj 0, so points == rss unless noted. */
        const BadnessCandidate c[] = {
                CAND(10, 300, 0, false),          /* 0: 300 */
                CAND(20, 500, 0, false),          /* 1: 500 */
                CAND(30, 9999999, -1000, false),  /* 2: biggest, but OOM_SCORE_ADJ_MIN */
                CAND(40, 500, 0, false),          /* 3: 500, ties with 1 and comes later */
                CAND(50, 9999999, 0, true),       /* 4: kernel thread */
                CAND(60, 100, 0, false),          /* 5: 100 */
        };
        _cleanup_free_ size_t *order = NULL;
        size_t n_killable = 99;

        assert_int_equal(badness_rank(c, ELEMENTSOF(c), T4M, PAGE, &order, &n_killable), 0);
        assert_int_equal(n_killable, 4);
        /* points >= chosen replaces the choice: pid 40 beats pid 20. */
        assert_int_equal(order[0], 3);
        assert_int_equal(order[1], 1);
        assert_int_equal(order[2], 0);
        assert_int_equal(order[3], 5);
        /* Unkillable ones trail in input order. */
        assert_int_equal(order[4], 2);
        assert_int_equal(order[5], 4);
}

static void test_rank_ties_and_edges(void **state) {
        const BadnessCandidate three[] = {
                CAND(1, 42, 0, false),
                CAND(2, 42, 0, false),
                CAND(3, 42, 0, false),
        };
        const BadnessCandidate none[] = {
                CAND(1, 42, -1000, false),
                CAND(2, 42, 0, true),
        };
        _cleanup_free_ size_t *order = NULL, *order2 = NULL;
        size_t *empty = (size_t *) 0x1, n_killable = 99;

        /* All equal: the last one in iteration order is the victim. */
        assert_int_equal(badness_rank(three, 3, T4M, PAGE, &order, &n_killable), 0);
        assert_int_equal(n_killable, 3);
        assert_int_equal(order[0], 2);
        assert_int_equal(order[1], 1);
        assert_int_equal(order[2], 0);

        assert_int_equal(badness_rank(none, 2, T4M, PAGE, &order2, &n_killable), 0);
        assert_int_equal(n_killable, 0);
        assert_int_equal(order2[0], 0);
        assert_int_equal(order2[1], 1);

        assert_int_equal(badness_rank(NULL, 0, T4M, PAGE, &empty, &n_killable), 0);
        assert_null(empty);
        assert_int_equal(n_killable, 0);

        assert_int_equal(badness_rank(NULL, 3, T4M, PAGE, &empty, &n_killable), -EINVAL);
        assert_int_equal(badness_rank(three, 3, T4M, 0, &empty, &n_killable), -EINVAL);
}

/* The selection loop of oom_evaluate_task()/select_bad_process(), written out
 * literally, to check badness_rank() against. */
static size_t reference_select(const BadnessCandidate *c, size_t n, const bool *gone, uint64_t totalpages) {
        int64_t chosen_points = INT64_MIN;
        size_t chosen = SIZE_MAX;

        for (size_t i = 0; i < n; i++) {
                Badness b;

                if (gone[i])
                        continue;
                badness_compute(&c[i].input, totalpages, PAGE, &b);
                if (!b.killable || b.points < chosen_points)
                        continue;
                chosen = i;
                chosen_points = b.points;
        }
        return chosen;
}

static void test_rank_matches_kernel_loop(void **state) {
        BadnessCandidate c[64];
        bool gone[ELEMENTSOF(c)];
        uint32_t seed = 12345;

        for (unsigned round = 0; round < 50; round++) {
                _cleanup_free_ size_t *order = NULL;
                size_t n_killable;
                uint64_t totalpages = round % 2 ? T4M : 1500;

                for (size_t i = 0; i < ELEMENTSOF(c); i++) {
                        /* Few distinct values so that ties are common. */
                        seed = seed * 1103515245u + 12345u;
                        c[i] = (BadnessCandidate) {
                                .pid = (pid_t) (i + 100),
                                .input = {
                                        .rss_pages = (seed >> 8) % 4 * 1000,
                                        .swap_pages = (seed >> 12) % 2 * 500,
                                        .oom_score_adj = (int) ((seed >> 16) % 5) * 500 - 1000,
                                        .unkillable = (seed >> 20) % 10 == 0,
                                },
                        };
                        gone[i] = false;
                }

                assert_int_equal(badness_rank(c, ELEMENTSOF(c), totalpages, PAGE, &order, &n_killable), 0);
                /* Killing the victim and rescanning yields the next entry. */
                for (size_t k = 0; k < n_killable; k++) {
                        assert_int_equal(reference_select(c, ELEMENTSOF(c), gone, totalpages), order[k]);
                        gone[order[k]] = true;
                }
                assert_true(reference_select(c, ELEMENTSOF(c), gone, totalpages) == SIZE_MAX);
        }
}

static void test_memcg_totalpages(void **state) {
        /* 1 GiB = 262144 pages; total swap 2 GiB = 524288 pages; RAM 4M pages. */
        const uint64_t GiB = UINT64_C(1) << 30, ram = T4M, swap = 524288;
        MemcgLimits l;
        uint64_t t = 0;

        /* v2, swap.max "max": 262144 + min(PAGE_COUNTER_MAX, 524288) = 786432. */
        l = (MemcgLimits) { CGROUP_V2, GiB, UINT64_MAX, 60 };
        assert_int_equal(memcg_totalpages(&l, ram, swap, PAGE, &t), 0);
        assert_int_equal(t, 786432);

        /* v2, swap.max 256 MiB = 65536 pages: 262144 + 65536 = 327680. */
        l = (MemcgLimits) { CGROUP_V2, GiB, GiB / 4, 60 };
        assert_int_equal(memcg_totalpages(&l, ram, swap, PAGE, &t), 0);
        assert_int_equal(t, 327680);

        /* No swap on the system: swap.max is irrelevant. */
        l = (MemcgLimits) { CGROUP_V2, GiB, UINT64_MAX, 60 };
        assert_int_equal(memcg_totalpages(&l, ram, 0, PAGE, &t), 0);
        assert_int_equal(t, 262144);

        /* swappiness 0: swap not counted. */
        l = (MemcgLimits) { CGROUP_V2, GiB, UINT64_MAX, 0 };
        assert_int_equal(memcg_totalpages(&l, ram, swap, PAGE, &t), 0);
        assert_int_equal(t, 262144);

        /* v1, memsw 1.5 GiB = 393216 pages is memory + swap:
         * 262144 + min(393216 - 262144, 524288) = 262144 + 131072 = 393216. */
        l = (MemcgLimits) { CGROUP_V1, GiB, GiB + GiB / 2, 60 };
        assert_int_equal(memcg_totalpages(&l, ram, swap, PAGE, &t), 0);
        assert_int_equal(t, 393216);

        /* v1, memsw unlimited (PAGE_COUNTER_MAX * 4096): excess capped by total
         * swap: 262144 + 524288 = 786432. */
        l = (MemcgLimits) { CGROUP_V1, GiB, UINT64_C(9223372036854771712), 60 };
        assert_int_equal(memcg_totalpages(&l, ram, swap, PAGE, &t), 0);
        assert_int_equal(t, 786432);

        /* v1, memsw read lower than memory (racing resize): no swap, no wrap. */
        l = (MemcgLimits) { CGROUP_V1, GiB, GiB / 2, 60 };
        assert_int_equal(memcg_totalpages(&l, ram, swap, PAGE, &t), 0);
        assert_int_equal(t, 262144);

        /* Unlimited memory: falls back to global totalpages 4000000 + 524288. */
        l = (MemcgLimits) { CGROUP_V2, UINT64_MAX, UINT64_MAX, 60 };
        assert_int_equal(memcg_totalpages(&l, ram, swap, PAGE, &t), 1);
        assert_int_equal(t, 4524288);
        l = (MemcgLimits) { CGROUP_V1, UINT64_C(9223372036854771712), UINT64_C(9223372036854771712), 60 };
        assert_int_equal(memcg_totalpages(&l, ram, swap, PAGE, &t), 1);
        assert_int_equal(t, 4524288);

        /* Limit 0, or below one page: "?: 1". */
        l = (MemcgLimits) { CGROUP_V2, 0, 0, 60 };
        assert_int_equal(memcg_totalpages(&l, ram, swap, PAGE, &t), 0);
        assert_int_equal(t, 1);
        l = (MemcgLimits) { CGROUP_V2, 1000, 0, 0 };
        assert_int_equal(memcg_totalpages(&l, ram, swap, PAGE, &t), 0);
        assert_int_equal(t, 1);

        l = (MemcgLimits) { 3, GiB, 0, 0 };
        assert_int_equal(memcg_totalpages(&l, ram, swap, PAGE, &t), -EINVAL);
        l = (MemcgLimits) { CGROUP_V2, GiB, 0, 0 };
        assert_int_equal(memcg_totalpages(&l, ram, swap, 0, &t), -EINVAL);

        /* End to end: a 1 GiB v2 cgroup with 786432 totalpages; adj +100 is
         * 100 * 786 = 78600 pages. */
        {
                Badness b = compute(200000, 0, 0, 100, false, 786432);

                assert_int_equal(b.adj_part, 78600);
                assert_int_equal(b.points, 278600);
        }
}

static const char meminfo_sample[] =
        "MemTotal:       16000000 kB\n"
        "MemFree:         1234567 kB\n"
        "MemAvailable:    7654321 kB\n"
        "Buffers:            1008 kB\n"
        "SwapCached:            0 kB\n"
        "SwapTotal:       2000000 kB\n"
        "SwapFree:        1999000 kB\n"
        "HugePages_Total:       0\n"
        "Hugepagesize:       2048 kB\n"
        "DirectMap1G:    4194304 kB\n";

static void test_meminfo_parse(void **state) {
        MemInfo m = {};

        assert_int_equal(meminfo_parse(meminfo_sample, &m), 0);
        assert_int_equal(m.mem_total_kb, 16000000);
        assert_int_equal(m.mem_free_kb, 1234567);
        assert_true(m.has_mem_available);
        assert_int_equal(m.mem_available_kb, 7654321);
        assert_int_equal(m.swap_total_kb, 2000000);
        assert_int_equal(m.swap_free_kb, 1999000);

        /* 16000000 / 4 + 2000000 / 4 = 4000000 + 500000. */
        assert_int_equal(meminfo_totalpages(&m, 4096), 4500000);
        /* 16 KiB pages: 1000000 + 125000. */
        assert_int_equal(meminfo_totalpages(&m, 16384), 1125000);
        assert_int_equal(meminfo_totalpages(&m, 512), 0);

        /* Pre-3.14 kernels have no MemAvailable; no trailing newline either. */
        assert_int_equal(meminfo_parse("MemTotal: 100 kB\nMemFree: 50 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB", &m), 0);
        assert_false(m.has_mem_available);
        assert_int_equal(m.mem_total_kb, 100);
        assert_int_equal(m.swap_free_kb, 0);
}

static void test_meminfo_garbage(void **state) {
        MemInfo m = { .mem_total_kb = 77 };

        assert_int_equal(meminfo_parse("", &m), -EBADMSG);
        assert_int_equal(meminfo_parse("\n\n\n", &m), -EBADMSG);
        assert_int_equal(meminfo_parse(NULL, &m), -EINVAL);
        assert_int_equal(meminfo_parse(meminfo_sample, NULL), -EINVAL);
        /* Missing SwapTotal. */
        assert_int_equal(meminfo_parse("MemTotal: 100 kB\nMemFree: 50 kB\nSwapFree: 0 kB\n", &m), -EBADMSG);
        /* Bad values on lines we need. */
        assert_int_equal(meminfo_parse("MemTotal: abc kB\nMemFree: 50 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n", &m), -EBADMSG);
        assert_int_equal(meminfo_parse("MemTotal: 12 MB\nMemFree: 50 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n", &m), -EBADMSG);
        assert_int_equal(meminfo_parse("MemTotal:\nMemFree: 50 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n", &m), -EBADMSG);
        assert_int_equal(meminfo_parse("MemTotal: -5 kB\nMemFree: 50 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n", &m), -EBADMSG);
        assert_int_equal(meminfo_parse("MemTotal: 1 2 kB\nMemFree: 50 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n", &m), -EBADMSG);
        assert_int_equal(meminfo_parse("MemTotal: 99999999999999999999999 kB\nMemFree: 50 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n", &m), -ERANGE);
        /* Same key twice. */
        assert_int_equal(meminfo_parse("MemTotal: 1 kB\nMemTotal: 2 kB\nMemFree: 50 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n", &m), -EBADMSG);
        /* A longer key is a different key. */
        assert_int_equal(meminfo_parse("MemTotalX: 1 kB\nMemFree: 50 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n", &m), -EBADMSG);
        assert_int_equal(meminfo_parse("\x01\xff:::\n: kB\n:\n", &m), -EBADMSG);
        /* Failure leaves *ret alone. */
        assert_int_equal(m.mem_total_kb, 77);
}

static const char status_sample[] =
        "Name:\tVmRSS: 999 kB\n"   /* a hostile comm is just the Name value */
        "Umask:\t0022\n"
        "State:\tR (running)\n"
        "Tgid:\t4242\n"
        "VmPeak:\t    3776 kB\n"
        "VmSize:\t    3760 kB\n"
        "VmHWM:\t    2128 kB\n"
        "VmRSS:\t    2128 kB\n"
        "RssAnon:\t     144 kB\n"
        "RssFile:\t    1984 kB\n"
        "RssShmem:\t       0 kB\n"
        "VmPTE:\t      44 kB\n"
        "VmSwap:\t      40 kB\n"
        "Threads:\t1\n"
        "Cpus_allowed_list:\t0-3\n";

static void test_status_parse(void **state) {
        ProcMemory m = {};
        BadnessInput in = {};

        assert_int_equal(parse_status_memory(status_sample, &m), 0);
        assert_int_equal(m.vm_rss_kb, 2128);
        assert_true(m.has_rss_split);
        assert_int_equal(m.rss_anon_kb, 144);
        assert_int_equal(m.rss_file_kb, 1984);
        assert_int_equal(m.rss_shmem_kb, 0);
        assert_int_equal(m.vm_pte_kb, 44);
        assert_int_equal(m.vm_swap_kb, 40);

        /* (144 + 1984 + 0) kB / 4 = 532 pages; 40 kB swap = 10 pages;
         * 44 kB page tables = 45056 bytes. */
        assert_int_equal(badness_input_from_status(&m, 300, false, PAGE, &in), 0);
        assert_int_equal(in.rss_pages, 532);
        assert_int_equal(in.swap_pages, 10);
        assert_int_equal(in.pgtables_bytes, 45056);
        assert_int_equal(in.oom_score_adj, 300);
        assert_false(in.unkillable);
        assert_int_equal(badness_input_from_status(&m, 0, false, 1000, &in), -EINVAL);

        /* Pre-4.5: no Rss* split, VmRSS is used. */
        assert_int_equal(parse_status_memory("VmRSS: 800 kB\nVmPTE: 8 kB\nVmSwap: 0 kB\n", &m), 0);
        assert_false(m.has_rss_split);
        assert_int_equal(badness_input_from_status(&m, 0, false, PAGE, &in), 0);
        assert_int_equal(in.rss_pages, 200);
        assert_int_equal(in.pgtables_bytes, 8192);

        /* Kernel thread: no mm, no Vm* lines. */
        assert_int_equal(parse_status_memory("Name:\tkthreadd\nState:\tS (sleeping)\nThreads:\t1\n", &m), -ENODATA);
        assert_int_equal(parse_status_memory("", &m), -ENODATA);
}

static void test_status_garbage(void **state) {
        ProcMemory m = { .vm_rss_kb = 77 };

        assert_int_equal(parse_status_memory(NULL, &m), -EINVAL);
        /* VmPTE missing (truncated read). */
        assert_int_equal(parse_status_memory("VmRSS: 800 kB\nVmSwap: 0 kB\n", &m), -EBADMSG);
        /* Only part of the Rss split. */
        assert_int_equal(parse_status_memory("VmRSS: 800 kB\nVmPTE: 8 kB\nVmSwap: 0 kB\nRssAnon: 800 kB\n", &m), -EBADMSG);
        /* Malformed values. */
        assert_int_equal(parse_status_memory("VmRSS: lots\nVmPTE: 8 kB\nVmSwap: 0 kB\n", &m), -EBADMSG);
        assert_int_equal(parse_status_memory("VmRSS: 800 kB trailing\nVmPTE: 8 kB\nVmSwap: 0 kB\n", &m), -EBADMSG);
        assert_int_equal(parse_status_memory("VmRSS: 800 kB\r\nVmPTE: 8 kB\nVmSwap: 0 kB\n", &m), -EBADMSG);
        assert_int_equal(parse_status_memory("VmRSS: 18446744073709551616 kB\nVmPTE: 8 kB\nVmSwap: 0 kB\n", &m), -ERANGE);
        assert_int_equal(m.vm_rss_kb, 77);
}

static void test_cgroup_limit(void **state) {
        uint64_t v = 7;

        assert_int_equal(parse_cgroup_limit("max\n", &v), 0);
        assert_true(v == UINT64_MAX);
        assert_int_equal(parse_cgroup_limit("max", &v), 0);
        assert_true(v == UINT64_MAX);
        assert_int_equal(parse_cgroup_limit("1073741824\n", &v), 0);
        assert_int_equal(v, 1073741824);
        assert_int_equal(parse_cgroup_limit("9223372036854771712\n", &v), 0);
        assert_true(v == UINT64_C(9223372036854771712));
        assert_int_equal(parse_cgroup_limit("0\n", &v), 0);
        assert_int_equal(v, 0);

        v = 7;
        assert_int_equal(parse_cgroup_limit("", &v), -EBADMSG);
        assert_int_equal(parse_cgroup_limit("\n", &v), -EBADMSG);
        assert_int_equal(parse_cgroup_limit("-1\n", &v), -EBADMSG);
        assert_int_equal(parse_cgroup_limit(" 12\n", &v), -EBADMSG);
        assert_int_equal(parse_cgroup_limit("12 \n", &v), -EBADMSG);
        assert_int_equal(parse_cgroup_limit("1\n\n", &v), -EBADMSG);
        assert_int_equal(parse_cgroup_limit("maxx\n", &v), -EBADMSG);
        assert_int_equal(parse_cgroup_limit("Max\n", &v), -EBADMSG);
        assert_int_equal(parse_cgroup_limit("18446744073709551616\n", &v), -ERANGE);
        assert_int_equal(parse_cgroup_limit(NULL, &v), -EINVAL);
        assert_int_equal(v, 7);
}

static char *read_proc(const char *path) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, len = 0;

        /* /proc files report size 0, so read until EOF. */
        f = fopen(path, "re");
        if (!f)
                return NULL;
        for (;;) {
                size_t k;

                if (len + 1 >= size) {
                        char *p = realloc(buf, size + 4096);

                        assert_non_null(p);
                        buf = p;
                        size += 4096;
                }
                k = fread(buf + len, 1, size - len - 1, f);
                len += k;
                if (k == 0)
                        break;
        }
        if (ferror(f))
                return NULL;
        buf[len] = '\0';
        return TAKE_PTR(buf);
}

static void test_real_proc_self(void **state) {
        _cleanup_free_ char *status = NULL, *meminfo = NULL, *adj_s = NULL, *score_s = NULL;
        struct utsname u;
        unsigned major = 0, minor = 0;
        ProcMemory pm;
        MemInfo mi;
        BadnessInput in;
        Badness b;
        uint64_t totalpages, ours;
        long page_size = sysconf(_SC_PAGESIZE);
        int adj;
        long kernel;

        /* The 2/3-scaled formula is 5.9+; older kernels export another scale. */
        assert_int_equal(uname(&u), 0);
        if (sscanf(u.release, "%u.%u", &major, &minor) != 2 || major < 5 || (major == 5 && minor < 9)) {
                print_message("kernel %s predates 5.9, skipping\n", u.release);
                skip();
        }
        if (getpid() == 1)
                skip();

        score_s = read_proc("/proc/self/oom_score");
        adj_s = read_proc("/proc/self/oom_score_adj");
        status = read_proc("/proc/self/status");
        meminfo = read_proc("/proc/meminfo");
        if (!score_s || !adj_s || !status || !meminfo) {
                print_message("/proc not usable here, skipping\n");
                skip();
        }

        assert_true(page_size > 0);
        assert_int_equal(meminfo_parse(meminfo, &mi), 0);
        assert_int_equal(parse_status_memory(status, &pm), 0);
        adj = atoi(adj_s);
        kernel = atol(score_s);

        totalpages = meminfo_totalpages(&mi, (uint64_t) page_size);
        assert_true(totalpages > 0);
        assert_int_equal(badness_input_from_status(&pm, adj, false, (uint64_t) page_size, &in), 0);
        badness_compute(&in, totalpages, (uint64_t) page_size, &b);
        ours = badness_to_oom_score(&b, totalpages);

        print_message("oom_score: kernel %ld, computed %llu (rss %llu, swap %llu, pt %llu pages, adj %d, totalpages %llu)\n",
                      kernel, (unsigned long long) ours, (unsigned long long) in.rss_pages,
                      (unsigned long long) in.swap_pages, (unsigned long long) b.pgtables_part, adj,
                      (unsigned long long) totalpages);

        /* The four files are separate reads, and this process allocates in
         * between (stdio buffers, the strings above), so RSS and page tables
         * can move; also oom_badness() may use the per-CPU approximated RSS
         * counters while status prints precise sums. One unit of oom_score
         * is about 1.5 / 1000 of totalpages, so ±2 absorbs all of that on any
         * machine bigger than a few MiB while still catching a wrong formula
         * (e.g. the missing * 2 / 3 would be off by ~333). */
        assert_true((long) ours >= kernel - 2 && (long) ours <= kernel + 2);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_plain),
                cmocka_unit_test(test_adj),
                cmocka_unit_test(test_unkillable),
                cmocka_unit_test(test_negative),
                cmocka_unit_test(test_small_totalpages),
                cmocka_unit_test(test_huge_values_do_not_overflow),
                cmocka_unit_test(test_rank),
                cmocka_unit_test(test_rank_ties_and_edges),
                cmocka_unit_test(test_rank_matches_kernel_loop),
                cmocka_unit_test(test_memcg_totalpages),
                cmocka_unit_test(test_meminfo_parse),
                cmocka_unit_test(test_meminfo_garbage),
                cmocka_unit_test(test_status_parse),
                cmocka_unit_test(test_status_garbage),
                cmocka_unit_test(test_cgroup_limit),
                cmocka_unit_test(test_real_proc_self),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
