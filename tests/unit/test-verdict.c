/* SPDX-License-Identifier: MIT */
/* Who could kill a process (verdict, struct literals) and memory.oom.group on a fake cgroup v2 tree. */
#include <errno.h>

#include "test-util.h"
#include "inspect/oom-group.h"
#include "inspect/verdict.h"

static void expect(const KillerFacts *f, const char *want) {
        _cleanup_free_ char *s = NULL;

        assert_int_equal(kill_verdict(f, &s), 0);
        assert_string_equal(s, want);
}

static void test_verdict(void **state) {
        /* The ssh example: protected, and stopped all the same by OOMPolicy=stop. */
        expect(&(KillerFacts) { .oom_score_adj = -1000, .unit = "ssh.service", .oom_policy_applies = true,
                                .oom_policy = "stop", .oomd_preference = "none", .oom_group = 0 },
               "kernel: never (-1000); systemd stops ssh.service if any process in it is OOM-killed "
               "(OOMPolicy=stop); systemd-oomd: may kill ssh.service whole if it watches its slice");
        expect(&(KillerFacts) { .oom_score_adj = -900, .unit = "db.service", .oom_policy_applies = true,
                                .oom_policy = "continue", .oomd_preference = "omit", .oom_group = 1,
                                .oom_group_cgroup = "/system.slice/db.service" },
               "kernel: only if nothing else is left (-900); kernel kills its whole cgroup /system.slice/db.service "
               "(memory.oom.group); systemd keeps db.service running after an OOM kill in it (OOMPolicy=continue); "
               "systemd-oomd: omitted");
        /* A scope has no OOMPolicy=; -1000 survives its group's kill. */
        expect(&(KillerFacts) { .oom_score_adj = -1000, .unit = "session-1.scope", .oomd_preference = "avoid",
                                .oom_group = 1, .oom_group_cgroup = "/user.slice" },
               "kernel: never (-1000); kernel kills its whole cgroup /user.slice (memory.oom.group), except "
               "this process; systemd-oomd: avoided (only if nothing else is left)");
        /* No bus: the unit from /proc, its properties unknown. */
        expect(&(KillerFacts) { .oom_score_adj = 300, .unit = "x.service", .oom_policy_applies = true, .oom_group = -1 },
               "kernel: more likely than its size says (300); systemd: OOMPolicy= of x.service unknown; "
               "systemd-oomd: preference unknown");
        expect(&(KillerFacts) { .oom_score_adj = 0, .oom_group = -1 }, "kernel: by its size (0)");
        expect(&(KillerFacts) { .oom_score_adj = -5, .unit = "app.service", .oom_policy_applies = true,
                                .oom_policy = "kill", .oomd_preference = "avoid", .user_owned = true },
               "kernel: less likely than its size says (-5); systemd kills all of app.service if any process in it "
               "is OOM-killed (OOMPolicy=kill); systemd-oomd: ManagedOOMPreference=avoid is ignored (a user owns the "
               "cgroup)");        /* The property set at runtime, the cgroup not marked (systemd 252): oomd reads the mark. */
        expect(&(KillerFacts) { .oom_score_adj = 0, .unit = "db.scope", .oomd_preference = "avoid",
                                .oomd_mark_off = "user.oomd_avoid", .oom_group = -1 },
               "kernel: by its size (0); systemd-oomd: ManagedOOMPreference=avoid is not in effect (the cgroup "
               "lacks user.oomd_avoid)");
        expect(&(KillerFacts) { .oom_score_adj = 0, .unit = "db.scope", .oomd_preference = "none",
                                .oomd_mark_off = "user.oomd_omit", .oom_group = -1 },
               "kernel: by its size (0); systemd-oomd: ManagedOOMPreference=none is not in effect (the cgroup "
               "still carries user.oomd_omit)");
}

static void expect_flags(const KillerFacts *f, const char *want) {
        char buf[8];

        kill_verdict_flags(f, buf);
        assert_string_equal(buf, want);
}

static void test_flags(void **state) {
        expect_flags(&(KillerFacts) { .unit = "ssh.service", .oom_policy_applies = true, .oom_policy = "stop",
                                      .oomd_preference = "avoid", .oom_group = 1 }, "GSa");
        expect_flags(&(KillerFacts) { .unit = "db.service", .oom_policy_applies = true, .oom_policy = "continue",
                                      .oomd_preference = "none" }, "-");
        expect_flags(&(KillerFacts) { .unit = "x.scope", .oomd_preference = "omit", .user_owned = true }, "u");
        expect_flags(&(KillerFacts) { .unit = "x.service", .oom_policy_applies = true, .oom_policy = "kill",
                                      .oomd_preference = "omit" }, "Ko");
        /* No bus, cgroup v1. */
        expect_flags(&(KillerFacts) { .unit = "x.service", .oom_policy_applies = true, .oom_group = -1 }, "?");
}

static void test_oom_group(void **state) {
        _cleanup_free_ char *root = test_mkdtemp(), *g = NULL, *none = NULL, *inner = NULL, *v1 = NULL;
        _cleanup_rootfs_ RootFs *fs = NULL;
        MemcgMount m = { .version = CGROUP_V2, .mount_point = (char *) "sys/fs/cgroup", .mount_root = (char *) "/" };
        MemcgMount m1 = { .version = CGROUP_V1, .mount_point = (char *) "sys/fs/cgroup/memory", .mount_root = (char *) "/" };

        test_mkdir_p(root, "proc");
        test_write_file(root, "sys/fs/cgroup/a/memory.oom.group", "1\n", 0644);
        test_write_file(root, "sys/fs/cgroup/a/b/memory.oom.group", "1\n", 0644);
        test_write_file(root, "sys/fs/cgroup/a/b/c/memory.oom.group", "0\n", 0644);
        test_write_file(root, "sys/fs/cgroup/other/memory.oom.group", "0\n", 0644);
        assert_int_equal(rootfs_open(root, &fs), 0);

        /* The highest flagged cgroup wins, for a global OOM. */
        assert_int_equal(oom_group_find(fs, &m, "/a/b/c", NULL, &g), 0);
        assert_string_equal(g, "/a");
        /* An OOM in /a/b's own limit stops the walk there. */
        assert_int_equal(oom_group_find(fs, &m, "/a/b/c", "/a/b", &inner), 0);
        assert_string_equal(inner, "/a/b");
        assert_int_equal(oom_group_find(fs, &m, "/other", NULL, &none), 0);
        assert_null(none);
        assert_int_equal(oom_group_find(fs, &m, "/missing/x", NULL, &none), 0);
        assert_null(none);
        assert_int_equal(oom_group_find(fs, &m1, "/a", NULL, &v1), -EOPNOTSUPP);
        assert_int_equal(oom_group_find(fs, &m, "/other", "/a", &v1), -EINVAL);
        test_rm_rf(root);
}

static void test_oom_group_members(void **state) {
        ProcRecord procs[] = {
                { .info = { .pid = 10 }, .cgroup_v2 = (char *) "/a/b" },
                { .info = { .pid = 11 }, .cgroup_v2 = (char *) "/a" },
                { .info = { .pid = 12 }, .cgroup_v2 = (char *) "/a/b" },   /* -1000: spared */
                { .info = { .pid = 13 }, .cgroup_v2 = (char *) "/ab" },    /* a sibling with a common prefix */
                { .info = { .pid = 14 } },                                 /* no v2 path */
        };
        RankedProcess entries[] = {
                { .proc = &procs[0], .oom_score_adj = 0 }, { .proc = &procs[1], .oom_score_adj = 500 },
                { .proc = &procs[2], .oom_score_adj = -1000 }, { .proc = &procs[3] }, { .proc = &procs[4] },
        };
        const Ranking r = { .entries = entries, .n_entries = ELEMENTSOF(entries), .n_killable = 4 };
        _cleanup_free_ pid_t *pids = NULL, *none = NULL;
        size_t n = 99;

        assert_int_equal(oom_group_members(&r, "/a", &pids, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(pids[0], 10);
        assert_int_equal(pids[1], 11);
        assert_int_equal(oom_group_members(&r, "/zzz", &none, &n), 0);
        assert_int_equal(n, 0);
        assert_null(none);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_verdict),
                cmocka_unit_test(test_flags),
                cmocka_unit_test(test_oom_group),
                cmocka_unit_test(test_oom_group_members),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
