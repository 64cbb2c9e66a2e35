/* SPDX-License-Identifier: MIT */
/* top ordering, simulate ranking (global and inside v1/v2 memory cgroups),
 * explain's reasons, against fake /proc and /sys/fs/cgroup trees whose numbers
 * are computed by hand below. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "test-util.h"
#include "inspect/explain.h"
#include "inspect/inspect.h"
#include "match/matcher.h"
#include "inspect/memcg.h"
#include "inspect/snapshot.h"

#define PAGE 4096
#define PF_KTHREAD 0x00200000u

/* MemTotal 4,000,000 kB = 1,000,000 pages, no swap: totalpages 1,000,000, so
 * one unit of oom_score_adj is totalpages / 1000 = 1000 pages. */
static const char meminfo[] =
        "MemTotal:        4000000 kB\nMemFree:         3000000 kB\nSwapTotal:             0 kB\nSwapFree:              0 kB\n";

/* The processes (memory in kB; a page is 4 kB):
 *
 *  pid comm       start  adj    rss       swap     pte     points (global, current adj)
 *    1 systemd        1    0    4000 kB                    init: never a candidate
 *    2 kthreadd       1    0    -                          kernel thread
 *   10 big          100    0    400000    40000    800     100000 + 10000 + 200 = 110200
 *   11 adjusted     101  100    40000     0        40      10000 + 10 + 100 * 1000 = 110010
 *   12 tieA         200    0    80000     0        0       20000
 *   13 tieB         150    0    80000     0        0       20000 (visited before tieA: started earlier)
 *   14 protected    300 -1000   800000    0        0       unkillable
 *   15 defunct      400    0    -                          zombie
 *   16 neg          500   -5    4000      0        0       1000 - 5 * 1000 = -4000
 *
 * oom_score = (1000 + points * 1000 / 1000000) * 2 / 3: big 1110 * 2 / 3 = 740,
 * adjusted 740 too (110.01 truncated to 110), tieA/tieB 1020 * 2 / 3 = 680,
 * neg (1000 - 4) * 2 / 3 = 664. */
typedef struct Cgroups {
        const char *root, *a, *a_sub, *b, *x;   /* the /proc/PID/cgroup text for each placement */
} Cgroups;

static const Cgroups cgroups_v1 = {
        .root = "4:memory:/\n1:name=systemd:/init.scope\n0::/\n",
        .a = "4:memory:/jobs/a\n1:name=systemd:/jobs.slice\n0::/\n",
        .a_sub = "4:memory:/jobs/a/sub\n0::/\n",
        .b = "4:memory:/jobs/b\n0::/\n",
        .x = "4:memory:/jobsX\n0::/\n",
};

static const Cgroups cgroups_v2 = {
        .root = "0::/init.scope\n",
        .a = "0::/jobs/a\n",
        .a_sub = "0::/jobs/a/sub\n",
        .b = "0::/jobs/b\n",
        .x = "0::/jobsX\n",
};

static void make_processes(const char *root, const Cgroups *cg) {
        test_write_file(root, "proc/meminfo", meminfo, 0644);
        test_fake_process(root, &(FakeProcess) { .pid = 1, .comm = "systemd", .ppid = -1, .start_time = 1, .cgroup = cg->root,
                                                 .memory = "VmRSS:\t4000 kB\nVmPTE:\t0 kB\nVmSwap:\t0 kB\n" });
        test_fake_process(root, &(FakeProcess) { .pid = 2, .comm = "kthreadd", .ppid = -1, .flags = PF_KTHREAD,
                                                 .start_time = 1, .memory = "", .cgroup = cg->root });
        test_fake_process(root, &(FakeProcess) {
                .pid = 10, .comm = "big", .uid = 1000, .exe = "/usr/bin/big", .argv = "big --serve", .start_time = 100,
                .oom_score = 740, .cgroup = cg->root,
                .memory = "VmRSS:\t400000 kB\nVmPTE:\t800 kB\nVmSwap:\t40000 kB\n" });
        test_fake_process(root, &(FakeProcess) {
                .pid = 11, .comm = "adjusted", .oom_score_adj = 100, .start_time = 101, .oom_score = 740, .cgroup = cg->a,
                .memory = "VmRSS:\t40000 kB\nRssAnon:\t30000 kB\nRssFile:\t10000 kB\nRssShmem:\t0 kB\nVmPTE:\t40 kB\nVmSwap:\t0 kB\n" });
        test_fake_process(root, &(FakeProcess) {
                .pid = 12, .comm = "tieA", .start_time = 200, .oom_score = 680, .cgroup = cg->a_sub,
                .memory = "VmRSS:\t80000 kB\nVmPTE:\t0 kB\nVmSwap:\t0 kB\n" });
        test_fake_process(root, &(FakeProcess) {
                .pid = 13, .comm = "tieB", .start_time = 150, .oom_score = 680, .cgroup = cg->b,
                .memory = "VmRSS:\t80000 kB\nVmPTE:\t0 kB\nVmSwap:\t0 kB\n" });
        test_fake_process(root, &(FakeProcess) {
                .pid = 14, .comm = "protected", .oom_score_adj = -1000, .start_time = 300, .oom_score = 0, .cgroup = cg->a,
                .memory = "VmRSS:\t800000 kB\nVmPTE:\t0 kB\nVmSwap:\t0 kB\n" });
        test_fake_process(root, &(FakeProcess) { .pid = 15, .comm = "defunct", .state = 'Z', .start_time = 400,
                                                 .memory = "", .cgroup = cg->a });
        test_fake_process(root, &(FakeProcess) {
                .pid = 16, .comm = "neg", .oom_score_adj = -5, .start_time = 500, .oom_score = 664, .cgroup = cg->x,
                .memory = "VmRSS:\t4000 kB\nVmPTE:\t0 kB\nVmSwap:\t0 kB\n" });
}

/* /jobs limited to 100 MiB = 25600 pages; /jobs/a and below unlimited; no swap. */
static void make_cgroups_v1(const char *root) {
        test_write_file(root, "proc/self/mountinfo",
                        "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n", 0644);
        test_write_file(root, "sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n", 0644);
        test_write_file(root, "sys/fs/cgroup/memory/jobs/memory.limit_in_bytes", "104857600\n", 0644);
        test_write_file(root, "sys/fs/cgroup/memory/jobs/memory.memsw.limit_in_bytes", "9223372036854771712\n", 0644);
        test_write_file(root, "sys/fs/cgroup/memory/jobs/memory.swappiness", "60\n", 0644);
        test_write_file(root, "sys/fs/cgroup/memory/jobs/a/memory.limit_in_bytes", "9223372036854771712\n", 0644);
        test_write_file(root, "sys/fs/cgroup/memory/jobs/a/sub/memory.limit_in_bytes", "9223372036854771712\n", 0644);
        test_write_file(root, "sys/fs/cgroup/memory/jobs/b/memory.limit_in_bytes", "9223372036854771712\n", 0644);
}

static void make_cgroups_v2(const char *root) {
        test_write_file(root, "proc/self/mountinfo",
                        "26 25 0:24 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n", 0644);
        test_write_file(root, "sys/fs/cgroup/cgroup.controllers", "cpu io memory pids\n", 0644);
        test_write_file(root, "sys/fs/cgroup/jobs/memory.max", "104857600\n", 0644);
        test_write_file(root, "sys/fs/cgroup/jobs/memory.swap.max", "0\n", 0644);
        test_write_file(root, "sys/fs/cgroup/jobs/a/memory.max", "max\n", 0644);
        test_write_file(root, "sys/fs/cgroup/jobs/a/sub/memory.max", "max\n", 0644);
        test_write_file(root, "sys/fs/cgroup/jobs/b/memory.max", "max\n", 0644);
}

typedef struct Fixture {
        char *root;
        RootFs *fs;
        Snapshot *snapshot;
} Fixture;

static Fixture fixture_new(const Cgroups *cg) {
        Fixture f = { .root = test_mkdtemp() };

        make_processes(f.root, cg);
        assert_int_equal(rootfs_open(f.root, &f.fs), 0);
        assert_int_equal(snapshot_take(f.fs, PAGE, &f.snapshot), 0);
        assert_int_equal(f.snapshot->n_unreadable, 0);
        assert_int_equal(f.snapshot->n_procs, 9);
        assert_int_equal(f.snapshot->totalpages, 1000000);
        return f;
}

static void fixture_done(Fixture *f) {
        snapshot_free(f->snapshot);
        rootfs_free(f->fs);
        test_rm_rf(f->root);
        free(f->root);
}

static void assert_order(const Ranking *r, const pid_t *pids, size_t n) {
        assert_int_equal(r->n_entries, n);
        for (size_t i = 0; i < n; i++)
                assert_int_equal(r->entries[i].proc->info.pid, pids[i]);
}

static void test_candidates(void **state) {
        Fixture f = fixture_new(&cgroups_v1);

        assert_false(inspect_is_candidate(snapshot_find(f.snapshot, 1)));    /* init */
        assert_false(inspect_is_candidate(snapshot_find(f.snapshot, 2)));    /* kernel thread */
        assert_false(inspect_is_candidate(snapshot_find(f.snapshot, 15)));   /* zombie */
        assert_true(inspect_is_candidate(snapshot_find(f.snapshot, 14)));    /* -1000: a candidate, unkillable */
        assert_true(inspect_is_candidate(snapshot_find(f.snapshot, 16)));
        fixture_done(&f);
}

static void test_rank_global(void **state) {
        Fixture f = fixture_new(&cgroups_v1);
        Ranking r = {};
        RankRequest req = {};
        Badness b;

        assert_int_equal(inspect_rank(f.snapshot, &req, &r), 0);
        /* Points descending; tieA and tieB tie at 20000 and tieA, visited later
         * (started later, though its PID is lower), is picked first. protected
         * (-1000) follows as unkillable; init, kthreadd and the zombie are absent. */
        assert_order(&r, (pid_t[]) { 10, 11, 12, 13, 16, 14 }, 6);
        assert_int_equal(r.n_killable, 5);
        assert_int_equal(r.totalpages, 1000000);
        assert_int_equal(r.entries[0].badness.points, 110200);
        assert_int_equal(r.entries[0].badness.rss_part, 100000);
        assert_int_equal(r.entries[0].badness.swap_part, 10000);
        assert_int_equal(r.entries[0].badness.pgtables_part, 200);
        assert_int_equal(r.entries[1].badness.points, 110010);
        assert_int_equal(r.entries[1].badness.adj_part, 100000);
        assert_int_equal(r.entries[2].badness.points, 20000);
        assert_int_equal(r.entries[3].badness.points, 20000);
        assert_int_equal(r.entries[4].badness.points, -4000);
        assert_false(r.entries[5].badness.killable);
        assert_int_equal(r.entries[5].oom_score_adj, -1000);

        /* The oom_score the kernel would show, from these points. */
        assert_int_equal(badness_to_oom_score(&r.entries[0].badness, r.totalpages), 740);
        assert_int_equal(badness_to_oom_score(&r.entries[1].badness, r.totalpages), 740);
        assert_int_equal(badness_to_oom_score(&r.entries[2].badness, r.totalpages), 680);
        assert_int_equal(badness_to_oom_score(&r.entries[4].badness, r.totalpages), 664);

        assert_int_equal(ranking_position(&r, 10), 1);
        assert_int_equal(ranking_position(&r, 13), 4);
        assert_int_equal(ranking_position(&r, 14), 0);   /* unkillable */
        assert_int_equal(ranking_position(&r, 2), 0);    /* not a candidate */
        ranking_done(&r);

        /* Exclusions and the badness of one process directly. */
        inspect_badness(snapshot_find(f.snapshot, 1), 0, 1000000, PAGE, &b);
        assert_false(b.killable);
        assert_int_equal(b.rss_part, 1000);          /* shown by explain all the same */
        inspect_badness(snapshot_find(f.snapshot, 2), 0, 1000000, PAGE, &b);
        assert_false(b.killable);
        assert_int_equal(b.rss_part, 0);
        inspect_badness(snapshot_find(f.snapshot, 11), 300, 1000000, PAGE, &b);
        assert_int_equal(b.points, 10010 + 300000);

        /* totalpages below 1000: oom_score_adj has no effect at all (999 / 1000 = 0). */
        req.totalpages = 999;
        assert_int_equal(inspect_rank(f.snapshot, &req, &r), 0);
        assert_order(&r, (pid_t[]) { 10, 12, 13, 11, 16, 14 }, 6);
        assert_int_equal(r.entries[3].badness.points, 10010);
        assert_int_equal(r.entries[4].badness.points, 1000);
        ranking_done(&r);
        fixture_done(&f);
}

static void test_rank_policy(void **state) {
        Fixture f = fixture_new(&cgroups_v1);
        _cleanup_policy_ Policy *p = test_build_policy(
                "[rule:hog]\nname = big\nuser = 1000\noom_score_adj = -1000\n"
                "[oom_score_adj]\ntieB = 1\nkthreadd = 500\ndefunct = 500\nsystemd = 900\n");
        Ranking r = {};
        RankRequest req = { .policy = p };

        /* Without use_policy_values, the rules are only recorded. */
        assert_int_equal(inspect_rank(f.snapshot, &req, &r), 0);
        assert_order(&r, (pid_t[]) { 10, 11, 12, 13, 16, 14 }, 6);
        assert_string_equal(r.entries[0].rule->name, "hog");
        assert_int_equal(r.entries[0].oom_score_adj, 0);
        assert_null(r.entries[1].rule);
        ranking_done(&r);

        /* simulate: big becomes unkillable, tieB gets 20000 + 1 * 1000 = 21000 and
         * now comes before tieA; unkillable ones in the kernel's visiting order. */
        req.use_policy_values = true;
        assert_int_equal(inspect_rank(f.snapshot, &req, &r), 0);
        assert_order(&r, (pid_t[]) { 11, 13, 12, 16, 10, 14 }, 6);
        assert_int_equal(r.n_killable, 4);
        assert_int_equal(r.entries[1].badness.points, 21000);
        assert_int_equal(r.entries[1].oom_score_adj, 1);
        assert_string_equal(r.entries[1].rule->name, "tieB");
        assert_int_equal(r.entries[4].oom_score_adj, -1000);
        assert_false(r.entries[4].badness.killable);
        ranking_done(&r);

        /* Kernel threads and zombies are governed by no rule, as apply and the daemon skip them. */
        assert_null(inspect_find_rule(p, snapshot_find(f.snapshot, 2)));
        assert_null(inspect_find_rule(p, snapshot_find(f.snapshot, 15)));
        assert_string_equal(inspect_find_rule(p, snapshot_find(f.snapshot, 1))->name, "systemd");
        assert_null(inspect_find_rule(NULL, snapshot_find(f.snapshot, 10)));
        fixture_done(&f);
}

/* simulate --cgroup: resolve the domain from the fake tree, rank within it. */
static void check_memcg(const Cgroups *cg, void (*make_cgroups)(const char *), CgroupVersion version) {
        Fixture f = fixture_new(cg);
        MemcgMount m = {};
        MemcgDomain d = {};
        Ranking r = {};
        RankRequest req = {};

        make_cgroups(f.root);
        assert_int_equal(memcg_mount_find(f.fs, &m), 0);
        assert_int_equal(m.version, version);

        /* /jobs/a is unlimited: the OOM happens in /jobs (100 MiB = 25600 pages,
         * no swap), among all of /jobs: adjusted, tieA, tieB and protected, not
         * neg in /jobsX. One adj unit is 25600 / 1000 = 25 pages: adjusted has
         * 10010 + 100 * 25 = 12510 points, tieA and tieB 20000. */
        assert_int_equal(memcg_find_domain(f.fs, &m, "/jobs/a", 1000000, 0, PAGE, 60, &d), 0);
        assert_string_equal(d.cgroup, "/jobs");
        assert_int_equal(d.totalpages, 25600);

        req.memcg = d.cgroup;
        req.memcg_version = m.version;
        req.totalpages = d.totalpages;
        assert_int_equal(inspect_rank(f.snapshot, &req, &r), 0);
        assert_order(&r, (pid_t[]) { 12, 13, 11, 14 }, 4);
        assert_int_equal(r.n_killable, 3);
        assert_int_equal(r.totalpages, 25600);
        assert_int_equal(r.entries[2].badness.points, 12510);
        assert_int_equal(r.entries[2].badness.adj_part, 2500);
        ranking_done(&r);

        /* A deeper cgroup alone. */
        req.memcg = "/jobs/a/sub";
        assert_int_equal(inspect_rank(f.snapshot, &req, &r), 0);
        assert_order(&r, (pid_t[]) { 12 }, 1);
        ranking_done(&r);

        /* /jobsX is not below /jobs; / holds everyone. */
        req.memcg = "/jobsX";
        assert_int_equal(inspect_rank(f.snapshot, &req, &r), 0);
        assert_order(&r, (pid_t[]) { 16 }, 1);
        ranking_done(&r);

        memcg_domain_done(&d);
        assert_int_equal(memcg_find_domain(f.fs, &m, "/jobs/nope", 1000000, 0, PAGE, 60, &d), -ENOENT);
        memcg_mount_done(&m);
        fixture_done(&f);
}

static void test_rank_memcg_v1(void **state) {
        check_memcg(&cgroups_v1, make_cgroups_v1, CGROUP_V1);
}

static void test_rank_memcg_v2(void **state) {
        check_memcg(&cgroups_v2, make_cgroups_v2, CGROUP_V2);
}

static void test_top_order(void **state) {
        Fixture f = fixture_new(&cgroups_v1);
        size_t *order = NULL, n = 0;
        const pid_t expected[] = { 10, 11, 12, 13, 16 };
        /* With --all: then the oom_score 0 ones, by the kernel's pick order
         * (none killable: later started first; init and kthreadd tie on start, higher PID first). */
        const pid_t expected_all[] = { 10, 11, 12, 13, 16, 15, 14, 2, 1 };

        /* oom_score 740 ties between big and adjusted: more points first; the
         * 680 tie between tieA and tieB is a tie in points too: the later one first. */
        assert_int_equal(inspect_top_order(f.snapshot, false, &order, &n), 0);
        assert_int_equal(n, ELEMENTSOF(expected));
        for (size_t i = 0; i < n; i++)
                assert_int_equal(f.snapshot->procs[order[i]].info.pid, expected[i]);
        free(order);

        assert_int_equal(inspect_top_order(f.snapshot, true, &order, &n), 0);
        assert_int_equal(n, ELEMENTSOF(expected_all));
        for (size_t i = 0; i < n; i++)
                assert_int_equal(f.snapshot->procs[order[i]].info.pid, expected_all[i]);
        free(order);

        /* The kernel's oom_score decides, not our computation: make neg the top. */
        test_write_file(f.root, "proc/16/oom_score", "1999\n", 0644);
        snapshot_free(f.snapshot);
        assert_int_equal(snapshot_take(f.fs, PAGE, &f.snapshot), 0);
        assert_int_equal(inspect_top_order(f.snapshot, false, &order, &n), 0);
        assert_int_equal(f.snapshot->procs[order[0]].info.pid, 16);
        free(order);
        fixture_done(&f);
}

static char *reason(const Rule *rule, RuleKey k, const ProcInfo *info) {
        RuleMatch m;
        char *s = NULL;

        (void) rule_matches(rule, info, &m);
        assert_int_equal(explain_qualifier(rule, k, &m, info, &s), 0);
        return s;
}

static void assert_reason(const Rule *rule, RuleKey k, const ProcInfo *info, const char *expected) {
        char *s = reason(rule, k, info);

        if (!expected)
                assert_null(s);
        else {
                assert_non_null(s);
                assert_string_equal(s, expected);
        }
        free(s);
}

static void test_explain_reasons(void **state) {
        _cleanup_policy_ Policy *p = test_build_policy(
                "[rule:sshd]\nname = sshd sshd-session\nexe = /usr/sbin/sshd\nuser = root\noom_score_adj = -1000\n"
                "[rule:jobs]\ncmdline = *--batch*\ncgroup = /system.slice/*\nuser = root 1000\noom_score_adj = 500\n"
                "[oom_score_adj]\nchrom* = 300\n");
        const Rule *sshd = &p->rules[0], *jobs = &p->rules[1], *chrom = &p->rules[2];
        ProcInfo real = { .pid = 10, .comm = "sshd", .uid = 0, .exe = (char *) "/usr/sbin/sshd", .cmdline = (char *) "sshd -D",
                          .argv0 = (char *) "sshd", .cgroup = (char *) "/system.slice/ssh.service",
                          .fields = PROC_FIELD_ALL };
        ProcInfo fake = { .pid = 11, .comm = "sshd", .uid = 1000, .exe = (char *) "/tmp/sshd", .cmdline = (char *) "sshd",
                          .argv0 = (char *) "sshd", .cgroup = (char *) "/user.slice/u.scope", .fields = PROC_FIELD_ALL };
        ProcInfo hidden = { .pid = 12, .comm = "sshd", .fields = PROC_FIELD_CMDLINE, .cmdline = (char *) "sshd" };
        ProcInfo chromium = { .pid = 13, .comm = "chromium", .fields = PROC_FIELD_ALL, .uid = 1000 };
        ProcInfo longname = { .pid = 14, .comm = "systemd-journal", .exe = (char *) "/usr/lib/systemd/systemd-journald",
                              .argv0 = (char *) "/lib/systemd/systemd-journald", .fields = PROC_FIELD_ALL };

        assert_reason(sshd, RULE_KEY_NAME, &real, "name: \"sshd\" matched");
        assert_reason(sshd, RULE_KEY_EXE, &real, "exe: /usr/sbin/sshd matched");
        assert_reason(sshd, RULE_KEY_USER, &real, "user: process uid 0 is root");
        assert_reason(sshd, RULE_KEY_CMDLINE, &real, NULL);      /* no such qualifier */
        assert_reason(sshd, RULE_KEY_CGROUP, &real, NULL);

        assert_reason(sshd, RULE_KEY_EXE, &fake, "exe: /tmp/sshd does not match /usr/sbin/sshd");
        assert_reason(sshd, RULE_KEY_USER, &fake, "user: process uid 1000 is not root");
        assert_reason(sshd, RULE_KEY_EXE, &hidden, "exe: unknown (/proc/12/exe is not readable), so no match");
        assert_reason(sshd, RULE_KEY_USER, &hidden, "user: unknown (/proc/12/status is not readable), so no match");

        assert_reason(jobs, RULE_KEY_CMDLINE, &fake, "cmdline: \"sshd\" does not match *--batch*");
        assert_reason(jobs, RULE_KEY_CGROUP, &real, "cgroup: /system.slice/ssh.service matched /system.slice/*");
        assert_reason(jobs, RULE_KEY_CGROUP, &fake, "cgroup: /user.slice/u.scope does not match /system.slice/*");
        assert_reason(jobs, RULE_KEY_CGROUP, &hidden, "cgroup: unknown (/proc/12/cgroup is not readable), so no match");
        assert_reason(jobs, RULE_KEY_USER, &fake, "user: process uid 1000 is root or 1000");

        assert_reason(chrom, RULE_KEY_NAME, &chromium, "name: \"chromium\" matched chrom*");
        assert_reason(chrom, RULE_KEY_NAME, &real, "name: \"sshd\" does not match chrom*");
        /* A 15-character comm: the longer names it may stand for are shown too. */
        assert_reason(sshd, RULE_KEY_NAME, &longname,
                      "name: \"systemd-journal\", \"systemd-journald\" do not match sshd sshd-session");
}

/* explain shows the glob the matcher recorded, without matching again. */
static void test_explain_recorded_glob(void **state) {
        _cleanup_policy_ Policy *p = test_build_policy(
                "[rule:svc]\nname = ssh* sshd\nexe = /opt/* /usr/sbin/*\ncgroup = /system.slice/*\noom_score_adj = 1\n");
        const Rule *rule = &p->rules[0];
        ProcInfo info = { .pid = 20, .comm = "sshd", .exe = (char *) "/usr/sbin/sshd", .cgroup = (char *) "/system.slice/a",
                          .fields = PROC_FIELD_ALL };
        RuleMatch m;
        char *s = NULL;

        assert_true(rule_matches(rule, &info, &m));
        assert_reason(rule, RULE_KEY_NAME, &info, "name: \"sshd\" matched ssh*");
        assert_reason(rule, RULE_KEY_EXE, &info, "exe: /usr/sbin/sshd matched /usr/sbin/*");

        m.matched_glob[RULE_KEY_EXE] = "/usr/s*";
        assert_int_equal(explain_qualifier(rule, RULE_KEY_EXE, &m, &info, &s), 0);
        assert_string_equal(s, "exe: /usr/sbin/sshd matched /usr/s*");
        free(s);
        /* A glob that is the value itself tells nothing more. */
        m.matched_glob[RULE_KEY_NAME] = rule->names[1];
        assert_int_equal(explain_qualifier(rule, RULE_KEY_NAME, &m, &info, &s), 0);
        assert_string_equal(s, "name: \"sshd\" matched");
        free(s);
}

/* explain's winner is the last rule whose every qualifier matched, and that is
 * exactly what the matcher (apply, the daemon) picks. */
static void test_explain_agrees_with_matcher(void **state) {
        _cleanup_policy_ Policy *p = test_build_policy(
                "[rule:literal]\nname = sshd\noom_score_adj = 1\n"
                "[rule:glob]\nname = ssh*\nuser = root\noom_score_adj = 2\n"
                "[rule:exe]\nexe = /usr/sbin/*\noom_score_adj = 3\n"
                "[rule:again]\nname = sshd\ncmdline = *-D*\noom_score_adj = 4\n"
                "[oom_score_adj]\nbash = 5\n");
        const ProcInfo procs[] = {
                { .pid = 1, .comm = "sshd", .uid = 0, .exe = (char *) "/usr/sbin/sshd", .cmdline = (char *) "sshd -D", .fields = PROC_FIELD_ALL },
                { .pid = 2, .comm = "sshd", .uid = 0, .exe = (char *) "/usr/sbin/sshd", .cmdline = (char *) "sshd", .fields = PROC_FIELD_ALL },
                { .pid = 3, .comm = "sshd", .uid = 1000, .exe = (char *) "/tmp/sshd", .cmdline = (char *) "sshd", .fields = PROC_FIELD_ALL },
                { .pid = 4, .comm = "sshd-session", .uid = 0, .exe = (char *) "/usr/lib/openssh/sshd-session", .fields = PROC_FIELD_ALL },
                { .pid = 5, .comm = "bash", .uid = 0, .exe = (char *) "/usr/bin/bash", .fields = PROC_FIELD_ALL },
                { .pid = 6, .comm = "cron", .uid = 0, .exe = (char *) "/usr/sbin/cron", .fields = PROC_FIELD_ALL },
                { .pid = 7, .comm = "sshd", .fields = 0 },
        };
        const char *expected[] = { "again", "exe", "literal", "glob", "bash", "exe", "literal" };

        for (size_t i = 0; i < ELEMENTSOF(procs); i++) {
                const Rule *last = NULL, *found = matcher_find_rule(p, &procs[i]);

                for (size_t k = 0; k < p->n_rules; k++)
                        if (rule_matches(&p->rules[k], &procs[i], NULL))
                                last = &p->rules[k];
                assert_non_null(found);
                assert_ptr_equal(found, last);
                assert_string_equal(found->name, expected[i]);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_candidates),
                cmocka_unit_test(test_rank_global),
                cmocka_unit_test(test_rank_policy),
                cmocka_unit_test(test_rank_memcg_v1),
                cmocka_unit_test(test_rank_memcg_v2),
                cmocka_unit_test(test_top_order),
                cmocka_unit_test(test_explain_reasons),
                cmocka_unit_test(test_explain_recorded_glob),
                cmocka_unit_test(test_explain_agrees_with_matcher),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
