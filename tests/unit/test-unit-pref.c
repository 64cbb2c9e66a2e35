/* SPDX-License-Identifier: MIT */
/* The bus-free half of the unit preference effects, on a fake /proc and cgroup tree. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/xattr.h>
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

static void test_cgroup_marks(void **state) {
        _cleanup_free_ char *root = test_mkdtemp();
        _cleanup_free_ char *dir = NULL;
        _cleanup_rootfs_ RootFs *fs = NULL;
        const char *attr = NULL;
        bool avoid = true, omit = true;
        char value[8];
        ssize_t n;

        test_fake_process(root, &(FakeProcess) { .pid = 1, .comm = "init" });
        test_mkdir_p(root, "sys/fs/cgroup/system.slice/ssh.service");
        assert_int_equal(rootfs_open(root, &fs), 0);
        assert_true(asprintf(&dir, "%s/sys/fs/cgroup/system.slice/ssh.service", root) > 0);
        if (setxattr(dir, "user.oomd_omit", "1", 1, 0) < 0) {
                /* tmpfs has user.* attributes only since Linux 6.6; other file systems may lack them. */
                fprintf(stderr, "skipped: the temp dir has no user.* extended attributes: %m\n");
                test_rm_rf(root);
                skip();
        }
        assert_int_equal(unit_cgroup_oomd_xattrs(fs, "/system.slice/ssh.service", &avoid, &omit), 0);
        assert_false(avoid);
        assert_true(omit);

        /* avoid: the one mark, the other gone, as systemd writes them. */
        assert_int_equal(unit_cgroup_oomd_xattrs_sync(fs, "/system.slice/ssh.service", "avoid", &attr), 1);
        assert_string_equal(attr, "user.oomd_avoid");
        n = getxattr(dir, "user.oomd_avoid", value, sizeof(value));
        assert_int_equal(n, 1);
        assert_memory_equal(value, "1", 1);
        assert_true(getxattr(dir, "user.oomd_omit", value, sizeof(value)) < 0);
        assert_int_equal(unit_cgroup_oomd_xattrs_sync(fs, "/system.slice/ssh.service", "avoid", NULL), 0);

        /* A false value does not count for oomd: as good as absent. */
        assert_int_equal(setxattr(dir, "user.oomd_avoid", "0", 1, 0), 0);
        assert_int_equal(unit_cgroup_oomd_xattrs(fs, "/system.slice/ssh.service", &avoid, &omit), 0);
        assert_false(avoid);
        assert_int_equal(unit_cgroup_oomd_xattrs_sync(fs, "/system.slice/ssh.service", "omit", NULL), 1);
        assert_int_equal(unit_cgroup_oomd_xattrs(fs, "/system.slice/ssh.service", &avoid, &omit), 0);
        assert_false(avoid);
        assert_true(omit);

        assert_int_equal(unit_cgroup_oomd_xattrs_sync(fs, "/system.slice/ssh.service", "none", NULL), 1);
        assert_int_equal(unit_cgroup_oomd_xattrs(fs, "/system.slice/ssh.service", &avoid, &omit), 0);
        assert_false(avoid);
        assert_false(omit);

        assert_int_equal(unit_cgroup_oomd_xattrs_sync(fs, "/system.slice/gone.service", "avoid", NULL), -ENOENT);
        assert_int_equal(unit_cgroup_oomd_xattrs_sync(fs, "/system.slice/../x", "avoid", NULL), -EINVAL);
        test_rm_rf(root);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_unit_of_process),
                cmocka_unit_test(test_cgroup_owner),
                cmocka_unit_test(test_cgroup_marks),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
