/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "test-util.h"
#include "inspect/runtime-lint.h"
#include "shared/macro.h"

#define PAGE 4096

static const char meminfo[] = "MemTotal:\t4000000 kB\nMemFree:\t2000000 kB\nSwapTotal:\t0 kB\nSwapFree:\t0 kB\n";

static size_t count(const LintList *l, LintId id) {
        size_t n = 0;

        for (size_t i = 0; i < l->n_lints; i++)
                n += l->lints[i].id == id;
        return n;
}

/* ---- unit-oom-policy: the decision, over struct literals ---- */

static Policy *ssh_policy(void) {
        return test_build_policy("[rule:sshd]\nname = sshd\nexe = /usr/sbin/sshd\nuser = root\noom_score_adj = -1000\n"
                                 "[rule:hogs]\nname = hog\noom_score_adj = 500\n");
}

static void test_unit_oom_policy_ssh(void **state) {
        _cleanup_policy_ Policy *p = ssh_policy();
        const Rule *sshd = &p->rules[0];
        /* The Debian 12 example: a session's hog inside ssh.service. */
        UnitMember members[] = {
                { .pid = 500, .comm = "sshd", .rule = sshd, .oom_score_adj = -1000 },
                { .pid = 900, .comm = "sshd", .rule = sshd, .oom_score_adj = -1000 },
                { .pid = 901, .comm = "bash", .oom_score_adj = 0 },
                { .pid = 950, .comm = "python3", .oom_score_adj = 0 },
        };
        LintList l = {};

        (void) state;
        assert_int_equal(unit_oom_policy_lint("ssh.service", "stop", members, ELEMENTSOF(members), &l), 0);
        assert_int_equal(l.n_lints, 1);     /* once per rule, not per process */
        assert_int_equal(l.lints[0].id, LINT_UNIT_OOM_POLICY);
        assert_string_equal(l.lints[0].rule, "sshd");
        assert_int_equal(l.lints[0].line, 5);
        assert_non_null(strstr(l.lints[0].message, "ssh.service"));
        assert_non_null(strstr(l.lints[0].message, "OOMPolicy=stop"));
        assert_non_null(strstr(l.lints[0].message, "PID 901"));
        assert_non_null(strstr(l.lints[0].message, "stops the whole unit"));
        assert_non_null(strstr(l.lints[0].suggestion, "[Service]\\nOOMPolicy=continue"));
        assert_non_null(strstr(l.lints[0].suggestion, "libpam-systemd"));
        lint_list_done(&l);

        assert_int_equal(unit_oom_policy_lint("ssh.service", "kill", members, ELEMENTSOF(members), &l), 0);
        assert_int_equal(l.n_lints, 1);
        assert_non_null(strstr(l.lints[0].message, "kills the whole unit"));
        lint_list_done(&l);

        /* OOMPolicy=continue: the unit survives the kill. */
        assert_int_equal(unit_oom_policy_lint("ssh.service", "continue", members, ELEMENTSOF(members), &l), 0);
        assert_int_equal(l.n_lints, 0);
}

static void test_unit_oom_policy_quiet(void **state) {
        _cleanup_policy_ Policy *p = ssh_policy();
        const Rule *sshd = &p->rules[0], *hogs = &p->rules[1];
        /* Only protected processes (sessions in their own scopes). */
        UnitMember alone[] = {
                { .pid = 500, .comm = "sshd", .rule = sshd, .oom_score_adj = -1000 },
        };
        /* The others are protected too, by someone else. */
        UnitMember others_protected[] = {
                { .pid = 500, .comm = "sshd", .rule = sshd, .oom_score_adj = -1000 },
                { .pid = 501, .comm = "helper", .oom_score_adj = -100 },
        };
        /* Nothing protected by the policy. */
        UnitMember unprotected[] = {
                { .pid = 600, .comm = "hog", .rule = hogs, .oom_score_adj = 500 },
                { .pid = 601, .comm = "bash", .oom_score_adj = 0 },
        };
        LintList l = {};

        (void) state;
        assert_int_equal(unit_oom_policy_lint("ssh.service", "stop", alone, ELEMENTSOF(alone), &l), 0);
        assert_int_equal(unit_oom_policy_lint("ssh.service", "stop", others_protected, ELEMENTSOF(others_protected), &l), 0);
        assert_int_equal(unit_oom_policy_lint("x.service", "stop", unprotected, ELEMENTSOF(unprotected), &l), 0);
        assert_int_equal(unit_oom_policy_lint("x.service", "stop", NULL, 0, &l), 0);
        assert_int_equal(l.n_lints, 0);
}

static void test_unit_oom_policy_scope(void **state) {
        _cleanup_policy_ Policy *p = ssh_policy();
        UnitMember m[] = {
                { .pid = 700, .comm = "sshd", .rule = &p->rules[0], .oom_score_adj = -1000 },
                { .pid = 701, .comm = "hog", .rule = &p->rules[1], .oom_score_adj = 500 },
        };
        LintList l = {};

        (void) state;
        assert_int_equal(unit_oom_policy_lint("session-3.scope", "stop", m, ELEMENTSOF(m), &l), 0);
        assert_int_equal(l.n_lints, 1);
        assert_non_null(strstr(l.lints[0].suggestion, "[Scope]"));
        assert_non_null(strstr(l.lints[0].message, "PID 701"));
        lint_list_done(&l);
}

/* ---- immune-in-limited-memcg and kubelet detection, on a fake root ---- */

typedef struct Layout {
        const char *limited;      /* /proc/PID/cgroup content of a process in the limited cgroup */
        const char *free;         /* ... in an unlimited one */
} Layout;

static void make_tree(const char *root, int version, const Layout *lay) {
        test_write_file(root, "proc/meminfo", meminfo, 0644);
        if (version == 1) {
                test_write_file(root, "proc/self/mountinfo",
                                "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n", 0644);
                test_write_file(root, "sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n", 0644);
                test_write_file(root, "sys/fs/cgroup/memory/jobs/memory.limit_in_bytes", "104857600\n", 0644);
                test_write_file(root, "sys/fs/cgroup/memory/jobs/a/memory.limit_in_bytes", "9223372036854771712\n", 0644);
                test_write_file(root, "sys/fs/cgroup/memory/free/memory.limit_in_bytes", "9223372036854771712\n", 0644);
        } else {
                test_write_file(root, "proc/self/mountinfo",
                                "26 25 0:24 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n", 0644);
                test_write_file(root, "sys/fs/cgroup/cgroup.controllers", "cpu io memory pids\n", 0644);
                test_write_file(root, "sys/fs/cgroup/jobs/memory.max", "104857600\n", 0644);
                test_write_file(root, "sys/fs/cgroup/jobs/a/memory.max", "max\n", 0644);
                test_write_file(root, "sys/fs/cgroup/free/memory.max", "max\n", 0644);
        }
        test_fake_process(root, &(FakeProcess) { .pid = 1, .comm = "systemd", .ppid = -1, .cgroup = lay->free });
        /* Immune by the policy, below a limited cgroup (the limit is on the parent). */
        test_fake_process(root, &(FakeProcess) { .pid = 20, .comm = "guard", .exe = "/usr/bin/guard",
                                                 .cgroup = lay->limited });
        test_fake_process(root, &(FakeProcess) { .pid = 21, .comm = "guard", .exe = "/usr/bin/guard",
                                                 .cgroup = lay->limited });
        /* Immune, unlimited: fine. */
        test_fake_process(root, &(FakeProcess) { .pid = 30, .comm = "free", .exe = "/usr/bin/free",
                                                 .cgroup = lay->free });
        /* -999 in the limited cgroup: fine. */
        test_fake_process(root, &(FakeProcess) { .pid = 40, .comm = "almost", .cgroup = lay->limited });
}

static void run_immune(int version, const Layout *lay, size_t expected, bool kubelet) {
        _cleanup_policy_ Policy *p = test_build_policy(
                "[rule:guard]\nname = guard\noom_score_adj = -1000\n"
                "[rule:free]\nname = free\noom_score_adj = -1000\n"
                "[rule:almost]\nname = almost\noom_score_adj = -999\n");
        _cleanup_free_ char *root = test_mkdtemp();
        _cleanup_rootfs_ RootFs *fs = NULL;
        _cleanup_snapshot_ Snapshot *snap = NULL;
        LintList l = {};

        make_tree(root, version, lay);
        if (kubelet)
                test_fake_process(root, &(FakeProcess) { .pid = 50, .comm = "kubelet", .cgroup = lay->free });
        assert_int_equal(rootfs_open(root, &fs), 0);
        assert_int_equal(snapshot_take(fs, PAGE, &snap), 0);
        assert_int_equal(runtime_lint_immune_in_limited_memcg(fs, p, snap, &l), 0);
        assert_int_equal(count(&l, LINT_IMMUNE_IN_LIMITED_MEMCG), expected);
        if (expected > 0) {
                assert_string_equal(l.lints[0].rule, "guard");
                assert_int_equal(l.lints[0].line, 3);
                assert_non_null(strstr(l.lints[0].message, "PID 20"));
                assert_non_null(strstr(l.lints[0].message, "/jobs"));
                assert_non_null(strstr(l.lints[0].suggestion, "-999"));
        }
        assert_int_equal(runtime_kubelet_running(snap), kubelet);
        lint_list_done(&l);
        test_rm_rf(root);
}

static void test_immune_v1(void **state) {
        Layout lay = {
                .limited = "9:name=systemd:/x\n4:memory:/jobs/a\n0::/\n",
                .free = "9:name=systemd:/x\n4:memory:/free\n0::/\n",
        };

        (void) state;
        run_immune(1, &lay, 1, false);
}

static void test_immune_v2(void **state) {
        Layout lay = { .limited = "0::/jobs/a\n", .free = "0::/free\n" };

        (void) state;
        run_immune(2, &lay, 1, true);
}

static void test_immune_no_memcg(void **state) {
        _cleanup_policy_ Policy *p = test_build_policy("[rule:guard]\nname = guard\noom_score_adj = -1000\n");
        _cleanup_free_ char *root = test_mkdtemp();
        _cleanup_rootfs_ RootFs *fs = NULL;
        _cleanup_snapshot_ Snapshot *snap = NULL;
        LintList l = {};

        (void) state;
        test_write_file(root, "proc/meminfo", meminfo, 0644);
        test_write_file(root, "proc/self/mountinfo", "", 0644);
        test_fake_process(root, &(FakeProcess) { .pid = 20, .comm = "guard" });
        assert_int_equal(rootfs_open(root, &fs), 0);
        assert_int_equal(snapshot_take(fs, PAGE, &snap), 0);
        assert_int_equal(runtime_lint_immune_in_limited_memcg(fs, p, snap, &l), 0);
        assert_int_equal(l.n_lints, 0);
        assert_non_null(l.notes);
        assert_non_null(strstr(l.notes[0], "skipped"));
        lint_list_done(&l);
        test_rm_rf(root);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_unit_oom_policy_ssh),
                cmocka_unit_test(test_unit_oom_policy_quiet),
                cmocka_unit_test(test_unit_oom_policy_scope),
                cmocka_unit_test(test_immune_v1),
                cmocka_unit_test(test_immune_v2),
                cmocka_unit_test(test_immune_no_memcg),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
