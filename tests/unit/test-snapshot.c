/* SPDX-License-Identifier: MIT */
/* Reading a fake /proc into a Snapshot, and finding and reading memory cgroup
 * limits in fake /proc/self/mountinfo and /sys/fs/cgroup trees (v1 and v2). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "test-util.h"
#include "inspect/memcg.h"
#include "inspect/snapshot.h"

#define PAGE 4096
#define PF_KTHREAD 0x00200000u

/* 4,000,000 kB RAM + 1,000,000 kB swap = 1,000,000 + 250,000 pages of 4 KiB. */
static const char meminfo[] =
        "MemTotal:        4000000 kB\nMemFree:         3000000 kB\nMemAvailable:    3500000 kB\n"
        "Buffers:            2340 kB\nSwapTotal:       1000000 kB\nSwapFree:         1000000 kB\n";

static void make_tree(const char *root) {
        test_write_file(root, "proc/meminfo", meminfo, 0644);
        test_fake_process(root, &(FakeProcess) { .pid = 1, .comm = "systemd", .ppid = -1, .start_time = 1 });
        test_fake_process(root, &(FakeProcess) { .pid = 2, .comm = "kthreadd", .ppid = -1, .flags = PF_KTHREAD,
                                                 .memory = "", .start_time = 1,
                                                 .cgroup = "4:memory:/\n0::/\n" });
        test_fake_process(root, &(FakeProcess) {
                .pid = 40, .comm = "worker", .uid = 1000, .oom_score_adj = 250, .oom_score = 834,
                .exe = "/usr/bin/worker", .argv = "worker --jobs 4", .start_time = 5000,
                .memory = "VmPTE:\t 400 kB\nVmRSS:\t 40000 kB\nRssAnon:\t 30000 kB\nRssFile:\t 9000 kB\n"
                          "RssShmem:\t 1000 kB\nVmSwap:\t 4000 kB\n",
                .cgroup = "9:name=systemd:/user.slice/job\n4:memory:/jobs/a\n3:cpu,cpuacct:/\n0::/\n" });
        /* A 3.x kernel: VmRSS without the Rss* split. */
        test_fake_process(root, &(FakeProcess) {
                .pid = 41, .comm = "old", .oom_score = 667,
                .memory = "VmRSS:\t 8192 kB\nVmPTE:\t 12 kB\nVmSwap:\t 0 kB\n", .cgroup = "0::/system.slice/old.service\n" });
        test_fake_process(root, &(FakeProcess) { .pid = 42, .comm = "defunct", .state = 'Z', .memory = "" });
        /* Exited between readdir() and reading: its directory is left but empty. */
        test_mkdir_p(root, "proc/43");
        /* A status cut short: VmRSS without VmPTE/VmSwap. */
        test_fake_process(root, &(FakeProcess) { .pid = 44, .comm = "broken", .memory = "VmRSS:\t 100 kB\n" });
        test_mkdir_p(root, "proc/self");
}

static void test_snapshot_take(void **state) {
        char *root = test_mkdtemp();
        _cleanup_rootfs_ RootFs *fs = NULL;
        _cleanup_snapshot_ Snapshot *s = NULL;
        const ProcRecord *p;

        make_tree(root);
        assert_int_equal(rootfs_open(root, &fs), 0);
        assert_int_equal(snapshot_take(fs, PAGE, &s), 0);

        assert_int_equal(s->totalpages, 1250000);
        assert_int_equal(s->page_size, PAGE);
        assert_int_equal(s->meminfo.swap_total_kb, 1000000);

        /* 1, 2, 40, 41, 42; 43 vanished silently, 44 is unreadable. */
        assert_int_equal(s->n_procs, 5);
        assert_int_equal(s->procs[0].info.pid, 1);
        assert_int_equal(s->procs[2].info.pid, 40);
        assert_int_equal(s->procs[4].info.pid, 42);
        assert_int_equal(s->n_unreadable, 1);
        assert_int_equal(s->first_unreadable_pid, 44);
        assert_int_equal(s->first_unreadable_error, -EBADMSG);

        p = snapshot_find(s, 40);
        assert_non_null(p);
        assert_true(p->has_mm);
        assert_true(p->memory.has_rss_split);
        assert_int_equal(p->memory.rss_anon_kb + p->memory.rss_file_kb + p->memory.rss_shmem_kb, 40000);
        assert_int_equal(p->memory.vm_swap_kb, 4000);
        assert_int_equal(p->memory.vm_pte_kb, 400);
        assert_int_equal(proc_record_rss_kb(p), 40000);
        assert_int_equal(proc_record_swap_kb(p), 4000);
        assert_int_equal(p->oom_score, 834);
        assert_int_equal(p->info.oom_score_adj, 250);
        assert_int_equal(p->info.start_time, 5000);
        assert_true(p->info.fields & PROC_FIELD_UID);
        assert_int_equal(p->info.uid, 1000);
        assert_string_equal(p->info.exe, "/usr/bin/worker");
        assert_string_equal(p->info.cmdline, "worker --jobs 4");
        /* The matcher's cgroup is the daemon's choice (name=systemd when 0:: is "/"). */
        assert_string_equal(p->info.cgroup, "/user.slice/job");
        assert_string_equal(p->memcg_v1, "/jobs/a");
        assert_string_equal(p->cgroup_v2, "/");

        p = snapshot_find(s, 41);
        assert_non_null(p);
        assert_true(p->has_mm);
        assert_false(p->memory.has_rss_split);
        assert_int_equal(p->memory.vm_rss_kb, 8192);
        assert_int_equal(proc_record_rss_kb(p), 8192);
        assert_null(p->memcg_v1);
        assert_string_equal(p->cgroup_v2, "/system.slice/old.service");

        p = snapshot_find(s, 2);
        assert_non_null(p);
        assert_false(p->has_mm);
        assert_null(p->info.exe);   /* kernel threads: no exe or cmdline read */
        assert_true(p->info.fields & PROC_FIELD_UID);

        p = snapshot_find(s, 42);
        assert_non_null(p);
        assert_false(p->has_mm);
        assert_int_equal(proc_record_rss_kb(p), 0);

        assert_null(snapshot_find(s, 43));
        assert_null(snapshot_find(s, 44));
        assert_null(snapshot_find(s, 3));

        test_rm_rf(root);
        free(root);
}

static void test_snapshot_errors(void **state) {
        char *root = test_mkdtemp();
        _cleanup_rootfs_ RootFs *fs = NULL;
        Snapshot *s = NULL;
        ProcRecord rec;
        int fd;

        test_fake_process(root, &(FakeProcess) { .pid = 10, .comm = "a" });
        assert_int_equal(rootfs_open(root, &fs), 0);
        /* No meminfo: nothing to compute totalpages from. */
        assert_int_equal(snapshot_take(fs, PAGE, &s), -ENOENT);
        assert_null(s);

        test_write_file(root, "proc/meminfo", "MemTotal: 100 kB\n", 0644);
        assert_int_equal(snapshot_take(fs, PAGE, &s), -EBADMSG);

        test_write_file(root, "proc/meminfo", meminfo, 0644);
        /* kB cannot be converted into pages of 1000 bytes. */
        assert_int_equal(snapshot_take(fs, 1000, &s), -EINVAL);
        assert_int_equal(snapshot_take(fs, PAGE, &s), 0);
        assert_int_equal(s->n_procs, 1);
        s = snapshot_free(s);

        /* One process read directly; a garbled oom_score is an error, a missing one means gone. */
        assert_int_equal(proc_pid_open(fs, 10, &fd), 0);
        assert_int_equal(snapshot_read_process(fd, 10, &rec), 0);
        assert_int_equal(rec.memory.vm_rss_kb, 1200);
        proc_record_done(&rec);
        test_write_file(root, "proc/10/oom_score", "lots\n", 0644);
        assert_int_equal(snapshot_read_process(fd, 10, &rec), -EBADMSG);
        test_write_file(root, "proc/10/oom_score", "-1\n", 0644);
        assert_int_equal(snapshot_read_process(fd, 10, &rec), -EBADMSG);
        {
                char *path = test_path(root, "proc/10/oom_score");
                assert_int_equal(unlink(path), 0);
                free(path);
        }
        assert_int_equal(snapshot_read_process(fd, 10, &rec), -ESRCH);
        close(fd);
        assert_int_equal(proc_pid_open(fs, 11, &fd), -ESRCH);

        test_rm_rf(root);
        free(root);
}

/* ---- memory cgroup mounts ---- */

static const char mountinfo_hybrid[] =
        "22 28 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
        "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
        "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:9 master:3 - cgroup cgroup rw,memory\n"
        "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
        "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

static const char mountinfo_v2[] =
        "25 30 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
        "26 25 0:24 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:8 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n";

static void test_mountinfo(void **state) {
        MemcgMount m = {};

        assert_int_equal(mountinfo_find_memcg(mountinfo_hybrid, &m), 0);
        assert_int_equal(m.version, CGROUP_V1);
        assert_string_equal(m.mount_point, "sys/fs/cgroup/memory");
        assert_string_equal(m.mount_root, "/");
        memcg_mount_done(&m);

        assert_int_equal(mountinfo_find_memcg(mountinfo_v2, &m), 0);
        assert_int_equal(m.version, CGROUP_V2);
        assert_string_equal(m.mount_point, "sys/fs/cgroup");
        memcg_mount_done(&m);

        /* Combined controllers, an escaped blank, and a subtree mount seen first. */
        assert_int_equal(mountinfo_find_memcg(
                "50 1 0:40 /sub /mnt/sub rw - cgroup cgroup rw,memory\n"
                "51 1 0:40 / /mnt/my\\040cgroups rw - cgroup none rw,cpu,memory,blkio\n", &m), 0);
        assert_int_equal(m.version, CGROUP_V1);
        assert_string_equal(m.mount_point, "mnt/my cgroups");
        assert_string_equal(m.mount_root, "/");
        memcg_mount_done(&m);

        /* A container that sees only its own subtree. */
        assert_int_equal(mountinfo_find_memcg("60 1 0:40 /machine/c1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", &m), 0);
        assert_string_equal(m.mount_root, "/machine/c1");
        memcg_mount_done(&m);

        /* "memoryx" and a cgroup2 fs type only as a source name are no memory hierarchy. */
        assert_int_equal(mountinfo_find_memcg("32 31 0:29 / /a rw - cgroup cgroup2 rw,memoryx\n", &m), -ENOENT);
        assert_int_equal(mountinfo_find_memcg("", &m), -ENOENT);
        assert_int_equal(mountinfo_find_memcg("32 31 0:29 / /a rw cgroup cgroup rw,memory\n", &m), -EBADMSG);
        assert_int_equal(mountinfo_find_memcg("32 31\n", &m), -EBADMSG);
        assert_int_equal(mountinfo_find_memcg(NULL, &m), -EINVAL);
}

static void test_cgroup_paths(void **state) {
        MemcgMount v1 = { .version = CGROUP_V1, .mount_point = (char *) "sys/fs/cgroup/memory", .mount_root = (char *) "/" };
        MemcgMount sub = { .version = CGROUP_V2, .mount_point = (char *) "sys/fs/cgroup", .mount_root = (char *) "/machine/c1" };
        char *s = NULL;

        assert_int_equal(memcg_path_to_dir(&v1, "/system.slice/foo.service", &s), 0);
        assert_string_equal(s, "sys/fs/cgroup/memory/system.slice/foo.service");
        free(s);
        assert_int_equal(memcg_path_to_dir(&v1, "/", &s), 0);
        assert_string_equal(s, "sys/fs/cgroup/memory");
        free(s);
        assert_int_equal(memcg_path_to_dir(&v1, "//a///b/", &s), 0);
        assert_string_equal(s, "sys/fs/cgroup/memory/a/b");
        free(s);
        assert_int_equal(memcg_path_to_dir(&sub, "/machine/c1/app", &s), 0);
        assert_string_equal(s, "sys/fs/cgroup/app");
        free(s);
        assert_int_equal(memcg_path_to_dir(&sub, "/machine/c1", &s), 0);
        assert_string_equal(s, "sys/fs/cgroup");
        free(s);
        assert_int_equal(memcg_path_to_dir(&sub, "/machine/c10", &s), -ENOENT);
        assert_int_equal(memcg_path_to_dir(&v1, "system.slice", &s), -EINVAL);
        assert_int_equal(memcg_path_to_dir(&v1, "/a/../../etc", &s), -EINVAL);
        assert_int_equal(memcg_path_to_dir(&v1, "/a/./b", &s), -EINVAL);
        assert_int_equal(memcg_path_to_dir(&v1, "", &s), -EINVAL);

        assert_int_equal(memcg_path_normalize("/a/b/", &s), 0);
        assert_string_equal(s, "/a/b");
        free(s);
        assert_int_equal(memcg_path_normalize("///", &s), 0);
        assert_string_equal(s, "/");
        free(s);
        assert_int_equal(memcg_path_normalize("/a/..b/c.", &s), 0);   /* only whole . and .. components are refused */
        assert_string_equal(s, "/a/..b/c.");
        free(s);

        assert_true(memcg_path_contains("/", "/anything"));
        assert_true(memcg_path_contains("/jobs", "/jobs"));
        assert_true(memcg_path_contains("/jobs", "/jobs/a/b"));
        assert_false(memcg_path_contains("/jobs", "/jobsX"));
        assert_false(memcg_path_contains("/jobs/a", "/jobs"));
        assert_false(memcg_path_contains("/jobs", NULL));
}

static void test_mount_find(void **state) {
        char *root = test_mkdtemp();
        _cleanup_rootfs_ RootFs *fs = NULL;
        MemcgMount m = {};

        test_mkdir_p(root, "proc");
        assert_int_equal(rootfs_open(root, &fs), 0);

        /* No mountinfo: probe. Nothing there at all. */
        assert_int_equal(memcg_mount_find(fs, &m), -ENOENT);

        /* v2 without the memory controller, then with it. */
        test_write_file(root, "sys/fs/cgroup/cgroup.controllers", "cpuset cpu io pids\n", 0644);
        assert_int_equal(memcg_mount_find(fs, &m), -ENOENT);
        test_write_file(root, "sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n", 0644);
        assert_int_equal(memcg_mount_find(fs, &m), 0);
        assert_int_equal(m.version, CGROUP_V2);
        assert_string_equal(m.mount_point, "sys/fs/cgroup");
        memcg_mount_done(&m);

        /* A v1 memory hierarchy wins the probe. */
        test_write_file(root, "sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n", 0644);
        assert_int_equal(memcg_mount_find(fs, &m), 0);
        assert_int_equal(m.version, CGROUP_V1);
        assert_string_equal(m.mount_point, "sys/fs/cgroup/memory");
        memcg_mount_done(&m);

        /* mountinfo decides when present: here cgroup2 at sys/fs/cgroup/unified without memory. */
        test_write_file(root, "proc/self/mountinfo",
                        "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n", 0644);
        test_write_file(root, "sys/fs/cgroup/unified/cgroup.controllers", "hugetlb\n", 0644);
        assert_int_equal(memcg_mount_find(fs, &m), -ENOENT);
        test_write_file(root, "proc/self/mountinfo", mountinfo_hybrid, 0644);
        assert_int_equal(memcg_mount_find(fs, &m), 0);
        assert_int_equal(m.version, CGROUP_V1);
        memcg_mount_done(&m);
        test_write_file(root, "proc/self/mountinfo", "garbage\n", 0644);
        assert_int_equal(memcg_mount_find(fs, &m), -EBADMSG);

        test_rm_rf(root);
        free(root);
}

/* ---- limits ---- */

static void test_read_limits_v1(void **state) {
        char *root = test_mkdtemp();
        _cleanup_rootfs_ RootFs *fs = NULL;
        MemcgMount m = { .version = CGROUP_V1, .mount_point = (char *) "sys/fs/cgroup/memory", .mount_root = (char *) "/" };
        MemcgLimits l;
        MemcgDomain d = {};

        test_mkdir_p(root, "proc");
        test_write_file(root, "sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n", 0644);
        test_write_file(root, "sys/fs/cgroup/memory/memory.memsw.limit_in_bytes", "9223372036854771712\n", 0644);
        test_write_file(root, "sys/fs/cgroup/memory/memory.swappiness", "60\n", 0644);
        /* 64 MiB of memory, 96 MiB of memory + swap, swappiness 30. */
        test_write_file(root, "sys/fs/cgroup/memory/jobs/memory.limit_in_bytes", "67108864\n", 0644);
        test_write_file(root, "sys/fs/cgroup/memory/jobs/memory.memsw.limit_in_bytes", "100663296\n", 0644);
        test_write_file(root, "sys/fs/cgroup/memory/jobs/memory.swappiness", "30\n", 0644);
        /* Unlimited child, swap accounting files absent. */
        test_write_file(root, "sys/fs/cgroup/memory/jobs/a/memory.limit_in_bytes", "9223372036854771712\n", 0644);
        test_write_file(root, "sys/fs/cgroup/memory/jobs/a/memory.swappiness", "0\n", 0644);
        test_write_file(root, "sys/fs/cgroup/memory/unlimited/memory.limit_in_bytes", "9223372036854771712\n", 0644);
        test_write_file(root, "sys/fs/cgroup/memory/bad/memory.limit_in_bytes", "64M\n", 0644);
        test_write_file(root, "sys/fs/cgroup/memory/file", "", 0644);
        assert_int_equal(rootfs_open(root, &fs), 0);

        assert_int_equal(memcg_read_limits(fs, &m, "/jobs", 60, &l), 0);
        assert_int_equal(l.version, CGROUP_V1);
        assert_int_equal(l.memory_max, 67108864);
        assert_int_equal(l.swap_max, 100663296);
        assert_int_equal(l.swappiness, 30);
        assert_int_equal(memcg_read_limits(fs, &m, "/jobs/a", 60, &l), 0);
        assert_true(l.swap_max == UINT64_MAX);
        assert_int_equal(l.swappiness, 0);

        assert_int_equal(memcg_read_limits(fs, &m, "/nope", 60, &l), -ENOENT);
        assert_int_equal(memcg_read_limits(fs, &m, "/file", 60, &l), -ENOTDIR);
        assert_int_equal(memcg_read_limits(fs, &m, "/bad", 60, &l), -EBADMSG);
        assert_int_equal(memcg_read_limits(fs, &m, "bad", 60, &l), -EINVAL);

        /* 64 MiB = 16384 pages; memsw - memory = 32 MiB = 8192 pages of swap,
         * capped by the 5000 pages of swap there are: 16384 + 5000 = 21384. */
        assert_int_equal(memcg_find_domain(fs, &m, "/jobs", 1000000, 5000, PAGE, 60, &d), 0);
        assert_string_equal(d.cgroup, "/jobs");
        assert_int_equal(d.totalpages, 21384);
        memcg_domain_done(&d);
        /* With 100000 pages of swap the memsw limit caps it: 16384 + 8192 = 24576. */
        assert_int_equal(memcg_find_domain(fs, &m, "/jobs", 1000000, 100000, PAGE, 60, &d), 0);
        assert_int_equal(d.totalpages, 24576);
        memcg_domain_done(&d);
        /* /jobs/a is unlimited: its nearest limited ancestor /jobs governs (with /jobs's own swappiness). */
        assert_int_equal(memcg_find_domain(fs, &m, "/jobs/a/", 1000000, 5000, PAGE, 60, &d), 0);
        assert_string_equal(d.cgroup, "/jobs");
        assert_int_equal(d.totalpages, 21384);
        memcg_domain_done(&d);
        /* Nothing limited up to the root: a global OOM, totalpages = RAM + swap. */
        assert_int_equal(memcg_find_domain(fs, &m, "/unlimited", 1000000, 5000, PAGE, 60, &d), 0);
        assert_null(d.cgroup);
        assert_int_equal(d.totalpages, 1005000);
        memcg_domain_done(&d);
        assert_int_equal(memcg_find_domain(fs, &m, "/nope/deeper", 1000000, 5000, PAGE, 60, &d), -ENOENT);

        test_rm_rf(root);
        free(root);
}

static void test_read_limits_v2(void **state) {
        char *root = test_mkdtemp();
        _cleanup_rootfs_ RootFs *fs = NULL;
        MemcgMount m = { .version = CGROUP_V2, .mount_point = (char *) "sys/fs/cgroup", .mount_root = (char *) "/" };
        MemcgLimits l;
        MemcgDomain d = {};

        test_mkdir_p(root, "proc");
        /* The v2 root has no memory.max. */
        test_write_file(root, "sys/fs/cgroup/cgroup.controllers", "memory\n", 0644);
        test_write_file(root, "sys/fs/cgroup/jobs/memory.max", "67108864\n", 0644);
        test_write_file(root, "sys/fs/cgroup/jobs/memory.swap.max", "16777216\n", 0644);
        test_write_file(root, "sys/fs/cgroup/jobs/a/memory.max", "max\n", 0644);
        test_write_file(root, "sys/fs/cgroup/jobs/a/memory.swap.max", "max\n", 0644);
        /* The memory controller not enabled for it: no memory.* files. */
        test_mkdir_p(root, "sys/fs/cgroup/jobs/nocontroller");
        test_write_file(root, "sys/fs/cgroup/tiny/memory.max", "0\n", 0644);
        assert_int_equal(rootfs_open(root, &fs), 0);

        assert_int_equal(memcg_read_limits(fs, &m, "/jobs", 60, &l), 0);
        assert_int_equal(l.version, CGROUP_V2);
        assert_int_equal(l.memory_max, 67108864);
        assert_int_equal(l.swap_max, 16777216);
        assert_int_equal(l.swappiness, 60);     /* v2: the global vm.swappiness */
        assert_int_equal(memcg_read_limits(fs, &m, "/", 60, &l), 0);
        assert_true(l.memory_max == UINT64_MAX);

        /* 16384 pages + min(16 MiB = 4096 pages, 100000) = 20480. */
        assert_int_equal(memcg_find_domain(fs, &m, "/jobs", 1000000, 100000, PAGE, 60, &d), 0);
        assert_string_equal(d.cgroup, "/jobs");
        assert_int_equal(d.totalpages, 20480);
        memcg_domain_done(&d);
        /* vm.swappiness 0: swap does not count. */
        assert_int_equal(memcg_find_domain(fs, &m, "/jobs", 1000000, 100000, PAGE, 0, &d), 0);
        assert_int_equal(d.totalpages, 16384);
        memcg_domain_done(&d);
        assert_int_equal(memcg_find_domain(fs, &m, "/jobs/a", 1000000, 100000, PAGE, 60, &d), 0);
        assert_string_equal(d.cgroup, "/jobs");
        memcg_domain_done(&d);
        assert_int_equal(memcg_find_domain(fs, &m, "/jobs/nocontroller", 1000000, 100000, PAGE, 60, &d), 0);
        assert_string_equal(d.cgroup, "/jobs");
        memcg_domain_done(&d);
        /* A limit of 0 is a limit: totalpages 1, as constrained_alloc() makes it. */
        assert_int_equal(memcg_find_domain(fs, &m, "/tiny", 1000000, 0, PAGE, 60, &d), 0);
        assert_string_equal(d.cgroup, "/tiny");
        assert_int_equal(d.totalpages, 1);
        memcg_domain_done(&d);
        assert_int_equal(memcg_find_domain(fs, &m, "/", 1000000, 100000, PAGE, 60, &d), 0);
        assert_null(d.cgroup);
        assert_int_equal(d.totalpages, 1100000);
        memcg_domain_done(&d);

        test_rm_rf(root);
        free(root);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_snapshot_take),
                cmocka_unit_test(test_snapshot_errors),
                cmocka_unit_test(test_mountinfo),
                cmocka_unit_test(test_cgroup_paths),
                cmocka_unit_test(test_mount_find),
                cmocka_unit_test(test_read_limits_v1),
                cmocka_unit_test(test_read_limits_v2),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
