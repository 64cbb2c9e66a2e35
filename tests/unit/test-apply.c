/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "test-util.h"
#include "apply/apply.h"
#include "apply/sysctl-apply.h"
#include "proc/proc-scan.h"

typedef struct Seen {
        pid_t pids[16];
        size_t n;
} Seen;

static int collect(pid_t pid, void *userdata) {
        Seen *s = userdata;

        s->pids[s->n++] = pid;
        return 0;
}

static void make_tree(const char *root) {
        test_fake_process(root, &(FakeProcess) { .pid = 2, .comm = "kthreadd", .ppid = -1, .flags = 0x00200000 });
        test_fake_process(root, &(FakeProcess) { .pid = 10, .comm = "sshd", .uid = 0, .exe = "/usr/sbin/sshd", .argv = "sshd -D" });
        test_fake_process(root, &(FakeProcess) { .pid = 11, .comm = "sshd", .uid = 65534, .exe = "/tmp/sshd", .argv = "sshd" });
        test_fake_process(root, &(FakeProcess) { .pid = 12, .comm = "chromium", .uid = 1000, .oom_score_adj = 300,
                                                 .exe = "/usr/lib/chromium/chromium" });
        test_fake_process(root, &(FakeProcess) { .pid = 13, .comm = "chromium", .state = 'Z', .uid = 1000 });
        test_fake_process(root, &(FakeProcess) { .pid = 14, .comm = "kworker/0:1", .ppid = 2, .flags = 0x00200000 });
        test_fake_process(root, &(FakeProcess) { .pid = 100, .comm = "bash", .uid = 1000 });
        test_mkdir_p(root, "proc/self");          /* not a PID: ignored */
        test_write_file(root, "proc/sys/vm/panic_on_oom", "0\n", 0644);
        test_write_file(root, "proc/sys/vm/oom_dump_tasks", "1\n", 0644);
}

static void test_scan_order(void **state) {
        char *root = test_mkdtemp();
        _cleanup_rootfs_ RootFs *fs = NULL;
        Seen seen = {};

        make_tree(root);
        assert_int_equal(rootfs_open(root, &fs), 0);
        assert_int_equal(proc_scan_pids(fs, collect, &seen), 0);
        assert_int_equal(seen.n, 7);
        assert_int_equal(seen.pids[0], 2);
        assert_int_equal(seen.pids[1], 10);
        assert_int_equal(seen.pids[6], 100);
        test_rm_rf(root);
        free(root);
}

/* A /proc without processes (a fake root) passed NULL to qsort(): UB that
 * UBSan reports when the tests run under tools/run-sanitizers. */
static void test_scan_empty(void **state) {
        char *root = test_mkdtemp();
        _cleanup_rootfs_ RootFs *fs = NULL;
        Seen seen = {};

        test_mkdir_p(root, "proc/self");
        assert_int_equal(rootfs_open(root, &fs), 0);
        assert_int_equal(proc_scan_pids(fs, collect, &seen), 0);
        assert_int_equal(seen.n, 0);
        test_rm_rf(root);
        free(root);
}

static void test_apply_processes(void **state) {
        char *root = test_mkdtemp();
        _cleanup_rootfs_ RootFs *fs = NULL;
        _cleanup_policy_ Policy *p = test_build_policy("[rule:ssh]\nname = sshd\nexe = /usr/sbin/sshd\nuser = root\noom_score_adj = -1000\n"
                                           "[oom_score_adj]\nchromium = 300\nkworker* = 500\nkthreadd = 1\n");
        ProcOutcome o;

        make_tree(root);
        assert_int_equal(rootfs_open(root, &fs), 0);

        assert_int_equal(apply_to_pid(fs, 10, p, true, &o), 0);
        assert_int_equal(o.verdict, PROC_VERDICT_CHANGED);
        assert_int_equal(o.new_adj, -1000);
        assert_string_equal(o.rule->name, "ssh");
        assert_int_equal(test_read_int(root, "proc/10/oom_score_adj"), 0);   /* dry run wrote nothing */

        assert_int_equal(apply_to_pid(fs, 10, p, false, &o), 0);
        assert_int_equal(o.verdict, PROC_VERDICT_CHANGED);
        assert_int_equal(o.old_adj, 0);
        assert_int_equal(test_read_int(root, "proc/10/oom_score_adj"), -1000);
        assert_int_equal(apply_to_pid(fs, 10, p, false, &o), 0);
        assert_int_equal(o.verdict, PROC_VERDICT_ALREADY_SET);

        /* Spoofed sshd (nobody, copied binary) is left alone. */
        assert_int_equal(apply_to_pid(fs, 11, p, false, &o), 0);
        assert_int_equal(o.verdict, PROC_VERDICT_NO_RULE);
        assert_int_equal(test_read_int(root, "proc/11/oom_score_adj"), 0);

        assert_int_equal(apply_to_pid(fs, 12, p, false, &o), 0);
        assert_int_equal(o.verdict, PROC_VERDICT_ALREADY_SET);

        /* Zombies and kernel threads are never touched. */
        assert_int_equal(apply_to_pid(fs, 13, p, false, &o), 0);
        assert_int_equal(o.verdict, PROC_VERDICT_SKIPPED);
        assert_int_equal(apply_to_pid(fs, 14, p, false, &o), 0);
        assert_int_equal(o.verdict, PROC_VERDICT_SKIPPED);
        assert_int_equal(apply_to_pid(fs, 2, p, false, &o), 0);
        assert_int_equal(o.verdict, PROC_VERDICT_SKIPPED);
        assert_int_equal(test_read_int(root, "proc/14/oom_score_adj"), 0);

        assert_int_equal(apply_to_pid(fs, 100, p, false, &o), 0);
        assert_int_equal(o.verdict, PROC_VERDICT_NO_RULE);

        assert_int_equal(apply_to_pid(fs, 4242, p, false, &o), -ESRCH);
        test_rm_rf(root);
        free(root);
}

static void test_pid_fd_outlives_reuse(void **state) {
        /* The write goes through the directory fd opened before the checks: if the
         * directory is replaced (PID reused), the new process is not written. */
        char *root = test_mkdtemp();
        _cleanup_rootfs_ RootFs *fs = NULL;
        _cleanup_policy_ Policy *p = test_build_policy("[oom_score_adj]\nvictim = 500\n");
        _cleanup_close_ int pid_fd = -EBADF;
        char *old_dir = test_path(root, "proc/50"), *moved = test_path(root, "proc/gone");
        ProcOutcome o;

        test_fake_process(root, &(FakeProcess) { .pid = 50, .comm = "victim" });
        assert_int_equal(rootfs_open(root, &fs), 0);
        assert_int_equal(proc_pid_open(fs, 50, &pid_fd), 0);
        assert_int_equal(rename(old_dir, moved), 0);
        test_fake_process(root, &(FakeProcess) { .pid = 50, .comm = "victim" });
        assert_int_equal(apply_to_process(pid_fd, 50, p, false, &o), 0);
        assert_int_equal(test_read_int(root, "proc/gone/oom_score_adj"), 500);
        assert_int_equal(test_read_int(root, "proc/50/oom_score_adj"), 0);
        free(old_dir);
        free(moved);
        test_rm_rf(root);
        free(root);
}

static void test_sysctls(void **state) {
        char *root = test_mkdtemp();
        _cleanup_rootfs_ RootFs *fs = NULL;
        _cleanup_policy_ Policy *p = test_build_policy("[sysctl]\nvm.panic_on_oom = 1\nvm.oom_dump_tasks = 1\nkernel.panic = 10\n");
        SysctlChange changes[_SYSCTL_MAX];
        size_t n;

        make_tree(root);
        assert_int_equal(rootfs_open(root, &fs), 0);
        n = sysctl_plan(fs, p, changes);
        /* oom_dump_tasks is already 1; kernel/panic does not exist in the fake tree. */
        assert_int_equal(n, 2);
        assert_int_equal(changes[0].id, SYSCTL_PANIC_ON_OOM);
        assert_int_equal(changes[0].old_value, 0);
        assert_true(changes[0].old_known);
        assert_int_equal(changes[0].new_value, 1);
        assert_int_equal(changes[1].id, SYSCTL_KERNEL_PANIC);
        assert_int_equal(changes[1].error, -ENOENT);
        assert_false(changes[1].old_known);
        assert_int_equal(sysctl_apply(fs, &changes[0]), 0);
        assert_int_equal(test_read_int(root, "proc/sys/vm/panic_on_oom"), 1);
        assert_int_equal(sysctl_plan(fs, p, changes), 1);
        test_rm_rf(root);
        free(root);
}

static void test_error_hints(void **state) {
        assert_non_null(strstr(apply_error_hint(-EACCES, 0, -1000), "CAP_SYS_RESOURCE"));
        assert_null(strstr(apply_error_hint(-EACCES, 0, 500), "CAP_SYS_RESOURCE"));
        assert_null(apply_error_hint(-EIO, 0, 5));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_scan_order),
                cmocka_unit_test(test_scan_empty),
                cmocka_unit_test(test_apply_processes),
                cmocka_unit_test(test_pid_fd_outlives_reuse),
                cmocka_unit_test(test_sysctls),
                cmocka_unit_test(test_error_hints),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
