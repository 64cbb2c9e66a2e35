/* SPDX-License-Identifier: MIT */
/* The bus-free half of the unit preference effects, on a fake /proc and cgroup tree. */
#include <errno.h>
#include <unistd.h>

#include "test-util.h"
#include "inspect/unit-pref.h"
#include "proc/rootfs.h"

static void test_unit_of_process(void **state) {
        _cleanup_free_ char *root = test_mkdtemp();
        _cleanup_rootfs_ RootFs *fs = NULL;
        _cleanup_close_ int fd = -EBADF, fd2 = -EBADF;
        _cleanup_free_ char *unit = NULL, *cgroup = NULL, *none = NULL;

        test_fake_process(root, &(FakeProcess) { .pid = 42, .comm = "sshd", .cgroup = "0::/system.slice/ssh.service\n" });
        test_fake_process(root, &(FakeProcess) { .pid = 43, .comm = "init" });
        assert_int_equal(rootfs_open(root, &fs), 0);
        assert_int_equal(proc_pid_open(fs, 42, &fd), 0);
        assert_int_equal(unit_of_process(fd, &unit, &cgroup), 0);
        assert_string_equal(unit, "ssh.service");
        assert_string_equal(cgroup, "/system.slice/ssh.service");
        /* The root cgroup is in no unit. */
        assert_int_equal(proc_pid_open(fs, 43, &fd2), 0);
        assert_int_equal(unit_of_process(fd2, &none, NULL), -ENOENT);
        test_rm_rf(root);
}

static void test_cgroup_owner(void **state) {
        _cleanup_free_ char *root = test_mkdtemp();
        _cleanup_rootfs_ RootFs *fs = NULL;
        uid_t uid = (uid_t) -1;

        test_fake_process(root, &(FakeProcess) { .pid = 1, .comm = "init" });
        test_mkdir_p(root, "sys/fs/cgroup/system.slice/ssh.service");
        assert_int_equal(rootfs_open(root, &fs), 0);
        assert_int_equal(unit_cgroup_owner(fs, "/system.slice/ssh.service", &uid), 0);
        assert_int_equal(uid, getuid());
        assert_int_equal(unit_cgroup_owner(fs, "/system.slice/gone.service", &uid), -ENOENT);
        assert_int_equal(unit_cgroup_owner(fs, "/system.slice/../x", &uid), -EINVAL);
        assert_int_equal(unit_cgroup_owner(fs, "relative", &uid), -EINVAL);
        test_rm_rf(root);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_unit_of_process),
                cmocka_unit_test(test_cgroup_owner),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
