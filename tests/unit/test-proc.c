/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-util.h"
#include "proc/proc-info.h"
#include "proc/rootfs.h"

static void test_parse_stat(void **state) {
        ProcInfo info = {};

        assert_int_equal(proc_parse_stat("42 (bash) S 1 42 42 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 999 0 0", &info), 0);
        assert_int_equal(info.pid, 42);
        assert_string_equal(info.comm, "bash");
        assert_int_equal(info.state, 'S');
        assert_int_equal(info.ppid, 1);
        assert_int_equal(info.flags, 4194560);
        assert_int_equal(info.start_time, 999);

        /* A name chosen to confuse a naive parser: the last ')' ends it. */
        assert_int_equal(proc_parse_stat("7 (a) Z 9 (b) R 3 7 7 0 -1 64 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0", &info), 0);
        assert_string_equal(info.comm, "a) Z 9 (b");
        assert_int_equal(info.state, 'R');
        assert_int_equal(info.ppid, 3);

        /* Kernel thread with a long name (6.x workqueue workers). */
        assert_int_equal(proc_parse_stat("3 (pool_workqueue_release) S 2 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 24 0 0",
                                         &info), 0);
        assert_string_equal(info.comm, "pool_workqueue_");
        assert_true(proc_info_is_kernel_thread(&info));

        assert_int_equal(proc_parse_stat("", &info), -EBADMSG);
        assert_int_equal(proc_parse_stat("12 (x", &info), -EBADMSG);
        assert_int_equal(proc_parse_stat("12 (x) S 1 2", &info), -EBADMSG);
        assert_int_equal(proc_parse_stat("x (y) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19", &info), -EBADMSG);
        assert_int_equal(proc_parse_stat("12 (x)S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19", &info), -EBADMSG);
}

static void test_parse_status(void **state) {
        uid_t uid = 0;

        assert_int_equal(proc_parse_status_uid("Name:\tx\nUid:\t1000\t0\t0\t0\n", &uid), 0);
        assert_int_equal(uid, 1000);
        assert_int_equal(proc_parse_status_uid("Name:\tx\n", &uid), -EBADMSG);
        assert_int_equal(proc_parse_status_uid("Uid:\tabc\n", &uid), -EBADMSG);
}

static void test_parse_cgroup(void **state) {
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL;

        assert_int_equal(proc_parse_cgroup("0::/system.slice/ssh.service\n", &a), 0);
        assert_string_equal(a, "/system.slice/ssh.service");
        /* Legacy (v1) host: the unified line says "/", name=systemd knows better. */
        assert_int_equal(proc_parse_cgroup("9:name=systemd:/system.slice/rsyslog.service\n4:memory:/x\n0::/\n", &b), 0);
        assert_string_equal(b, "/system.slice/rsyslog.service");
        assert_int_equal(proc_parse_cgroup("0::/\n", &c), 0);
        assert_string_equal(c, "/");
        assert_int_equal(proc_parse_cgroup_controller("5:cpu,cpuacct:/a\n4:memory:/process_api/xyz\n", "memory", &d), 0);
        assert_string_equal(d, "/process_api/xyz");
        assert_int_equal(proc_parse_cgroup_controller("5:cpu,cpuacct:/a\n", "cpuacct", &e), 0);
        assert_string_equal(e, "/a");
        assert_int_equal(proc_parse_cgroup("garbage", &a), -EBADMSG);
}

static void test_parse_cmdline(void **state) {
        _cleanup_free_ char *joined = NULL, *argv0 = NULL;

        assert_int_equal(proc_parse_cmdline("/usr/sbin/sshd\0-D\0", 18, &joined, &argv0), 0);
        assert_string_equal(joined, "/usr/sbin/sshd -D");
        assert_string_equal(argv0, "/usr/sbin/sshd");
        free(joined);
        free(argv0);
        assert_int_equal(proc_parse_cmdline("", 0, &joined, &argv0), 0);
        assert_string_equal(joined, "");
        assert_string_equal(argv0, "");
}

static void test_names(void **state) {
        ProcInfo info = { .fields = PROC_FIELD_EXE | PROC_FIELD_CMDLINE };
        const char *names[3];

        strcpy(info.comm, "sshd");
        info.exe = (char *) "/usr/bin/anything-longer-than-15";
        assert_int_equal(proc_info_names(&info, names), 1);

        /* Truncated comm: the full executable name is matched too. */
        strcpy(info.comm, "systemd-journal");
        info.exe = (char *) "/usr/lib/systemd/systemd-journald";
        info.argv0 = (char *) "/usr/lib/systemd/systemd-journald";
        assert_int_equal(proc_info_names(&info, names), 2);
        assert_string_equal(names[1], "systemd-journald");

        /* argv[0] that does not start with the comm cannot add a name. */
        strcpy(info.comm, "NetworkManager-");
        info.exe = (char *) "/usr/lib/NetworkManager/nm-dispatcher";
        info.argv0 = (char *) "/usr/libexec/NetworkManager-dispatcher";
        assert_int_equal(proc_info_names(&info, names), 2);
        assert_string_equal(names[1], "NetworkManager-dispatcher");

        strcpy(info.comm, "abcdefghijklmno");
        info.exe = (char *) "/tmp/abcdefghijklmnoX";
        info.argv0 = (char *) "sshd";
        assert_int_equal(proc_info_names(&info, names), 2);
        assert_string_equal(names[1], "abcdefghijklmnoX");
}

static void test_parse_comm(void **state) {
        char comm[PROC_COMM_MAX];

        assert_int_equal(proc_parse_comm("sshd\n", comm), 0);
        assert_string_equal(comm, "sshd");
        assert_int_equal(proc_parse_comm("a b) (c\n", comm), 0);
        assert_string_equal(comm, "a b) (c");
        /* a workqueue worker's name is longer than TASK_COMM_LEN; cut as in stat */
        assert_int_equal(proc_parse_comm("kworker/u8:1-events_unbound\n", comm), 0);
        assert_string_equal(comm, "kworker/u8:1-ev");
        /* names are printed raw: a newline inside is part of the name */
        assert_int_equal(proc_parse_comm("x\ny\n", comm), 0);
        assert_string_equal(comm, "x\ny");
        assert_int_equal(proc_parse_comm("\n", comm), 0);   /* prctl(PR_SET_NAME, "") */
        assert_string_equal(comm, "");
        assert_int_equal(proc_parse_comm("", comm), -EBADMSG);
        assert_int_equal(proc_parse_comm("no newline", comm), -EBADMSG);
}

static void test_read_fake_tree(void **state) {
        char *root = test_mkdtemp();
        _cleanup_rootfs_ RootFs *fs = NULL;
        _cleanup_close_ int fd = -EBADF, fd2 = -EBADF;
        ProcInfo info = {};
        int adj;

        test_fake_process(root, &(FakeProcess) {
                .pid = 321, .comm = "systemd-journal", .uid = 0, .oom_score_adj = -250,
                .exe = "/usr/lib/systemd/systemd-journald (deleted)", .argv = "/usr/lib/systemd/systemd-journald",
                .cgroup = "0::/system.slice/systemd-journald.service\n",
        });
        test_mkdir_p(root, "proc/sys/vm");
        assert_int_equal(rootfs_open(root, &fs), 0);
        assert_true(fs->sys_fd >= 0);
        assert_int_equal(proc_pid_open(fs, 999, &fd), -ESRCH);
        assert_int_equal(proc_pid_open(fs, 321, &fd), 0);
        assert_int_equal(proc_read_info(fd, 321, PROC_FIELD_ALL, &info), 0);
        assert_string_equal(info.comm, "systemd-journal");
        assert_int_equal(info.oom_score_adj, -250);
        assert_int_equal(info.fields, PROC_FIELD_ALL);
        assert_string_equal(info.exe, "/usr/lib/systemd/systemd-journald");
        assert_string_equal(info.cgroup, "/system.slice/systemd-journald.service");
        assert_int_equal(info.uid, 0);
        proc_info_done(&info);

        assert_int_equal(proc_write_oom_score_adj(fd, 17), 0);
        assert_int_equal(proc_read_oom_score_adj(fd, &adj), 0);
        assert_int_equal(adj, 17);

        assert_int_equal(proc_read_comm(fd, info.comm), 0);
        assert_string_equal(info.comm, "systemd-journal");
        assert_int_equal(proc_read_stat(fd, 321, &info), 0);
        assert_int_equal(info.start_time, 12345);

        /* one open for reading and writing; a shorter value leaves no tail behind */
        {
                _cleanup_close_ int adj_fd = -EBADF;
                char *text;

                assert_int_equal(proc_write_oom_score_adj(fd, -1000), 0);
                assert_int_equal(proc_open_oom_score_adj(fd, &adj_fd, &adj), 0);
                assert_true(adj_fd >= 0);
                assert_int_equal(adj, -1000);
                assert_int_equal(proc_write_oom_score_adj_fd(adj_fd, 5), 0);
                text = test_read_text(root, "proc/321/oom_score_adj");
                assert_string_equal(text, "5\n");
                free(text);
                assert_int_equal(proc_write_oom_score_adj_fd(-EACCES, 5), -EACCES);
        }
        test_write_file(root, "proc/321/oom_score_adj", "many\n", 0644);
        {
                _cleanup_close_ int adj_fd = -EBADF;

                assert_int_equal(proc_open_oom_score_adj(fd, &adj_fd, &adj), -EBADMSG);
        }
        test_mkdir_p(root, "proc/322");
        assert_int_equal(proc_pid_open(fs, 322, &fd2), 0);
        assert_int_equal(proc_read_comm(fd2, info.comm), -ESRCH);
        {
                _cleanup_close_ int adj_fd = -EBADF;

                assert_int_equal(proc_open_oom_score_adj(fd2, &adj_fd, &adj), -ESRCH);
        }

        test_rm_rf(root);
        free(root);
}

static void test_sysctl_fake(void **state) {
        char *root = test_mkdtemp();
        _cleanup_rootfs_ RootFs *fs = NULL;
        int64_t v;

        test_write_file(root, "proc/sys/vm/panic_on_oom", "0\n", 0644);
        test_write_file(root, "proc/sys/vm/broken", "zero\n", 0644);
        assert_int_equal(rootfs_open(root, &fs), 0);
        assert_int_equal(sysctl_read_int64(fs, "vm/panic_on_oom", &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(sysctl_write_int64(fs, "vm/panic_on_oom", 2), 0);
        assert_int_equal(sysctl_read_int64(fs, "vm/panic_on_oom", &v), 0);
        assert_int_equal(v, 2);
        assert_int_equal(sysctl_read_int64(fs, "vm/broken", &v), -EBADMSG);
        assert_int_equal(sysctl_read_int64(fs, "vm/missing", &v), -ENOENT);
        test_rm_rf(root);
        free(root);
}

static void test_read_real_self(void **state) {
        _cleanup_rootfs_ RootFs *fs = NULL;
        _cleanup_close_ int fd = -EBADF;
        ProcInfo info = {};

        assert_int_equal(rootfs_open("/", &fs), 0);
        assert_int_equal(proc_pid_open(fs, getpid(), &fd), 0);
        assert_int_equal(proc_read_info(fd, getpid(), PROC_FIELD_ALL, &info), 0);
        assert_string_equal(info.comm, "test-proc");
        assert_int_equal(info.uid, getuid());
        assert_non_null(strstr(info.exe, "test-proc"));
        assert_false(proc_info_is_kernel_thread(&info));
        assert_int_equal(proc_read_comm(fd, info.comm), 0);
        assert_string_equal(info.comm, "test-proc");
        proc_info_done(&info);
}

static bool have_cap_sys_resource(void) {
        char *status = NULL, *p;
        unsigned long long eff = 0;
        size_t size = 0;
        FILE *f = fopen("/proc/self/status", "re");

        assert_non_null(f);
        assert_true(getdelim(&status, &size, '\0', f) > 0);
        fclose(f);
        p = strstr(status, "CapEff:");
        assert_non_null(p);
        eff = strtoull(p + 7, NULL, 16);
        free(status);
        return eff & (1ULL << 24);   /* CAP_SYS_RESOURCE */
}

/* The real kernel, in a child (its value must not leak into this process): raising
 * works through the read-write fd; a negative value needs CAP_SYS_RESOURCE (below
 * the floor a privileged writer left, 0 unless one did), and without it the
 * write fails with EACCES. */
static void test_write_real_child(void **state) {
        bool privileged = have_cap_sys_resource();
        pid_t pid = fork();
        int status;

        assert_true(pid >= 0);
        if (pid == 0) {
                _cleanup_rootfs_ RootFs *fs = NULL;
                _cleanup_close_ int fd = -EBADF, adj_fd = -EBADF;
                int adj, start, r;

                if (rootfs_open("/", &fs) < 0 || proc_pid_open(fs, getpid(), &fd) < 0 ||
                    proc_open_oom_score_adj(fd, &adj_fd, &start) < 0 || adj_fd < 0)
                        _exit(10);
                if (start > 900)
                        _exit(77);
                if (proc_write_oom_score_adj_fd(adj_fd, start + 50) < 0 || proc_read_oom_score_adj(fd, &adj) < 0 ||
                    adj != start + 50)
                        _exit(11);
                r = proc_write_oom_score_adj_fd(adj_fd, -1);
                if (!privileged && r == 0)
                        _exit(78);   /* a privileged ancestor lowered the floor */
                if (privileged ? r != 0 : r != -EACCES)
                        _exit(12);
                _exit(0);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        if (WEXITSTATUS(status) == 77) {
                fprintf(stderr, "skipped: this process's oom_score_adj is above 900, no room to raise it\n");
                skip();
        }
        if (WEXITSTATUS(status) == 78) {
                fprintf(stderr, "skipped: an ancestor with CAP_SYS_RESOURCE lowered the oom_score_adj floor, so -1 "
                                "is allowed without the capability\n");
                skip();
        }
        assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_stat),
                cmocka_unit_test(test_parse_comm),
                cmocka_unit_test(test_parse_status),
                cmocka_unit_test(test_parse_cgroup),
                cmocka_unit_test(test_parse_cmdline),
                cmocka_unit_test(test_names),
                cmocka_unit_test(test_read_fake_tree),
                cmocka_unit_test(test_sysctl_fake),
                cmocka_unit_test(test_read_real_self),
                cmocka_unit_test(test_write_real_child),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
