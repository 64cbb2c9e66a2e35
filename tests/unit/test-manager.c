/* SPDX-License-Identifier: MIT */
/* The daemon's bookkeeping (children = reset, restore, lineage) against a fake
 * /proc tree, with proc-connector events constructed by hand. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "test-util.h"
#include "daemon/manager.h"
#include "daemon/proc-events.h"
#include "daemon/publish.h"

typedef struct Fixture {
        char *root;
        char *policy;
        Manager *m;
        char *state_dir;   /* the manager keeps the pointer, so it lives as long as it */
} Fixture;

static Manager *start(Fixture *f, const char *policy_text) {
        ManagerOptions o = {
                .root = f->root,
                .config = f->policy,
                .log_target = LOG_TARGET_CONSOLE,
                .log_level = LOG_ERR,
                .no_netlink = true,
                .keep_caps = true,
        };
        if (geteuid() != 0) {
                print_message("skipped: policy files are trusted only when owned by root, which only root can create\n");
                skip();
        }
        free(f->state_dir);
        f->state_dir = test_path(f->root, "state");
        test_write_file(f->root, "policy.conf", policy_text, 0644);
        o.state_dir = f->state_dir;
        assert_int_equal(manager_new(&o, &f->m), 0);
        assert_int_equal(manager_start(f->m), 0);
        return f->m;
}

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(Fixture));

        f->root = test_mkdtemp();
        f->policy = test_path(f->root, "policy.conf");
        test_mkdir_p(f->root, "proc/sys");
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;

        manager_free(f->m);
        free(f->state_dir);
        test_rm_rf(f->root);
        free(f->root);
        free(f->policy);
        free(f);
        return 0;
}

static int adj_of(Fixture *f, int pid) {
        char rel[64];

        snprintf(rel, sizeof(rel), "proc/%d/oom_score_adj", pid);
        return test_read_int(f->root, rel);
}

/* What prctl(PR_SET_NAME) changes (and, with a new start time, a new process
 * under a reused PID): the comm in stat and in comm. */
static void set_comm(Fixture *f, int pid, const char *comm, unsigned long long start_time) {
        char rel[64], *content = NULL;

        snprintf(rel, sizeof(rel), "proc/%d/stat", pid);
        assert_true(asprintf(&content, "%d (%s) S 1 %d %d 0 -1 0 100 0 0 0 5 6 0 0 20 0 1 0 %llu 1000000 200\n", pid,
                             comm, pid, pid, start_time) > 0);
        test_write_file(f->root, rel, content, 0644);
        free(content);
        snprintf(rel, sizeof(rel), "proc/%d/comm", pid);
        assert_true(asprintf(&content, "%s\n", comm) > 0);
        test_write_file(f->root, rel, content, 0644);
        free(content);
}

static void event(Manager *m, ProcEventKind kind, int pid, int parent) {
        ProcEvent ev = { .kind = kind, .pid = pid, .tgid = pid, .parent_pid = parent, .parent_tgid = parent };

        manager_handle_event(m, &ev);
}

static const char *const reset_policy =
        "[rule:shell]\nname = oomtest-p\noom_score_adj = 200\nchildren = reset\n"
        "[oom_score_adj]\nkeeper = 300\n"
        "[daemon]\nrescan_interval = 0\ndefault_oom_score_adj = 5\n";

static void test_startup_lineage(void **state) {
        Fixture *f = *state;

        /* Already running when the daemon starts: the child carries the inherited value. */
        test_fake_process(f->root, &(FakeProcess) { .pid = 10, .comm = "oomtest-p", .oom_score_adj = 200 });
        test_fake_process(f->root, &(FakeProcess) { .pid = 11, .comm = "sleep", .ppid = 10, .oom_score_adj = 200 });
        test_fake_process(f->root, &(FakeProcess) { .pid = 12, .comm = "sleep", .ppid = 10, .oom_score_adj = 77 });
        test_fake_process(f->root, &(FakeProcess) { .pid = 13, .comm = "bash", .ppid = 11, .oom_score_adj = 200 });
        test_fake_process(f->root, &(FakeProcess) { .pid = 20, .comm = "sleep", .oom_score_adj = 200 });
        start(f, reset_policy);

        assert_int_equal(adj_of(f, 10), 200);
        assert_int_equal(adj_of(f, 11), 5);    /* reset to default_oom_score_adj */
        assert_int_equal(adj_of(f, 12), 77);   /* someone else's value: left alone */
        assert_int_equal(adj_of(f, 13), 5);    /* grandchild too */
        assert_int_equal(adj_of(f, 20), 200);  /* not a descendant */
        assert_int_equal(f->m->counters.reset, 2);
}

static void test_fork_exec_reset(void **state) {
        Fixture *f = *state;
        Manager *m;

        test_fake_process(f->root, &(FakeProcess) { .pid = 10, .comm = "oomtest-p", .oom_score_adj = 0 });
        m = start(f, reset_policy);
        assert_int_equal(adj_of(f, 10), 200);

        /* fork + exec of an unmatched program, value inherited */
        event(m, PROC_EVENT_KIND_FORK, 30, 10);
        test_fake_process(f->root, &(FakeProcess) { .pid = 30, .comm = "sleep", .ppid = 10, .oom_score_adj = 200 });
        event(m, PROC_EVENT_KIND_EXEC, 30, 0);
        assert_int_equal(adj_of(f, 30), 5);

        /* fork + exec into something a rule matches: the rule wins */
        event(m, PROC_EVENT_KIND_FORK, 31, 10);
        test_fake_process(f->root, &(FakeProcess) { .pid = 31, .comm = "keeper", .ppid = 10, .oom_score_adj = 200 });
        event(m, PROC_EVENT_KIND_EXEC, 31, 0);
        assert_int_equal(adj_of(f, 31), 300);

        /* a value set by someone else between fork and exec is kept */
        event(m, PROC_EVENT_KIND_FORK, 32, 10);
        test_fake_process(f->root, &(FakeProcess) { .pid = 32, .comm = "sleep", .ppid = 10, .oom_score_adj = -100 });
        event(m, PROC_EVENT_KIND_EXEC, 32, 0);
        assert_int_equal(adj_of(f, 32), -100);

        /* a thread's FORK (pid != tgid) creates nothing */
        manager_handle_event(m, &(ProcEvent) { .kind = PROC_EVENT_KIND_FORK, .pid = 41, .tgid = 10, .parent_tgid = 10 });
        test_fake_process(f->root, &(FakeProcess) { .pid = 41, .comm = "sleep", .oom_score_adj = 200 });
        event(m, PROC_EVENT_KIND_EXEC, 41, 0);
        assert_int_equal(adj_of(f, 41), 200);
}

static void test_no_longer_matching_restored(void **state) {
        Fixture *f = *state;
        Manager *m;

        test_fake_process(f->root, &(FakeProcess) { .pid = 50, .comm = "keeper", .oom_score_adj = 12 });
        m = start(f, reset_policy);
        assert_int_equal(adj_of(f, 50), 300);

        /* prctl rename away from the rule: the original value comes back */
        test_fake_process(f->root, &(FakeProcess) { .pid = 51, .comm = "keeper", .oom_score_adj = 300 });
        set_comm(f, 50, "renamed", 12345);
        event(m, PROC_EVENT_KIND_COMM, 50, 0);
        assert_int_equal(adj_of(f, 50), 12);
        assert_int_equal(m->counters.restored, 1);

        /* Renamed back: applied again, and an EXIT drops the state. */
        set_comm(f, 50, "keeper", 12345);
        event(m, PROC_EVENT_KIND_COMM, 50, 0);
        assert_int_equal(adj_of(f, 50), 300);
        event(m, PROC_EVENT_KIND_EXIT, 50, 0);

        /* PID reused by an unrelated process: nothing restored from the old one */
        set_comm(f, 50, "other", 99999);
        event(m, PROC_EVENT_KIND_EXEC, 50, 0);
        assert_int_equal(adj_of(f, 50), 300);
        assert_int_equal(m->counters.restored, 1);
}

static void test_rescan_prunes_dead(void **state) {
        Fixture *f = *state;
        Manager *m;
        char *dir;

        test_fake_process(f->root, &(FakeProcess) { .pid = 60, .comm = "keeper" });
        m = start(f, reset_policy);
        assert_int_equal(hashmap_size(m->tracked), 1);
        dir = test_path(f->root, "proc/60");
        test_rm_rf(dir);
        free(dir);
        assert_int_equal(manager_rescan(m), 0);
        assert_int_equal(hashmap_size(m->tracked), 0);
}

static Tracked *tracked(Manager *m, int pid) {
        return hashmap_get_u64(m->tracked, (uint64_t) pid);
}

/* EXEC of processes the daemon knew nothing about (the fast path: comm first,
 * stat only after a write). */
static void test_exec_untracked(void **state) {
        Fixture *f = *state;
        Manager *m;
        char *text;

        m = start(f, reset_policy);

        /* named by no rule: untouched, nothing remembered */
        test_fake_process(f->root, &(FakeProcess) { .pid = 70, .comm = "sleep", .oom_score_adj = 40 });
        event(m, PROC_EVENT_KIND_EXEC, 70, 0);
        assert_int_equal(adj_of(f, 70), 40);
        assert_null(tracked(m, 70));

        /* matched: written in place of a longer value, start time learnt from stat */
        test_fake_process(f->root, &(FakeProcess) { .pid = 71, .comm = "keeper", .oom_score_adj = -1000,
                                                    .start_time = 4242 });
        event(m, PROC_EVENT_KIND_EXEC, 71, 0);
        text = test_read_text(f->root, "proc/71/oom_score_adj");
        assert_string_equal(text, "300\n");
        free(text);
        assert_non_null(tracked(m, 71));
        assert_int_equal(tracked(m, 71)->memory.start_time, 4242);
        assert_int_equal(tracked(m, 71)->memory.original, -1000);
        assert_true(tracked(m, 71)->memory.changed);
        assert_string_equal(tracked(m, 71)->rule->name, "keeper");
        assert_int_equal(m->counters.adjusted, 1);

        /* matched and already right: no write, but the rule is remembered */
        test_fake_process(f->root, &(FakeProcess) { .pid = 72, .comm = "keeper", .oom_score_adj = 300 });
        event(m, PROC_EVENT_KIND_EXEC, 72, 0);
        assert_int_equal(m->counters.adjusted, 1);
        assert_non_null(tracked(m, 72));
        assert_false(tracked(m, 72)->memory.changed);
        assert_string_equal(tracked(m, 72)->rule->name, "keeper");

        /* children = reset rule: its children are followed from the fast path's state */
        test_fake_process(f->root, &(FakeProcess) { .pid = 73, .comm = "oomtest-p", .oom_score_adj = 0 });
        event(m, PROC_EVENT_KIND_EXEC, 73, 0);
        assert_int_equal(adj_of(f, 73), 200);
        assert_true(tracked(m, 73)->memory.reset_children);
        event(m, PROC_EVENT_KIND_FORK, 74, 73);
        test_fake_process(f->root, &(FakeProcess) { .pid = 74, .comm = "sh", .ppid = 73, .oom_score_adj = 200 });
        event(m, PROC_EVENT_KIND_EXEC, 74, 0);
        assert_int_equal(adj_of(f, 74), 5);

        /* gone before the event is handled (no directory), or between the opens (no comm) */
        event(m, PROC_EVENT_KIND_EXEC, 75, 0);
        assert_null(tracked(m, 75));
        test_mkdir_p(f->root, "proc/76");
        event(m, PROC_EVENT_KIND_EXEC, 76, 0);
        assert_null(tracked(m, 76));
        assert_int_equal(m->counters.failed, 0);
}

/* What the fast path remembered serves the tracked path later: restore on rename,
 * and the start time that tells a reused PID apart. */
static void test_exec_untracked_then_tracked(void **state) {
        Fixture *f = *state;
        Manager *m;

        m = start(f, reset_policy);
        test_fake_process(f->root, &(FakeProcess) { .pid = 80, .comm = "keeper", .oom_score_adj = 12, .start_time = 500 });
        event(m, PROC_EVENT_KIND_EXEC, 80, 0);
        assert_int_equal(adj_of(f, 80), 300);
        set_comm(f, 80, "renamed", 500);
        event(m, PROC_EVENT_KIND_COMM, 80, 0);
        assert_int_equal(adj_of(f, 80), 12);
        assert_int_equal(m->counters.restored, 1);
        assert_null(tracked(m, 80));

        /* EXIT lost, PID reused by a process that inherited 300 from elsewhere: the
         * start time differs, so nothing of the old process is given back to it. */
        test_fake_process(f->root, &(FakeProcess) { .pid = 81, .comm = "keeper", .oom_score_adj = 12, .start_time = 600 });
        event(m, PROC_EVENT_KIND_EXEC, 81, 0);
        assert_int_equal(adj_of(f, 81), 300);
        set_comm(f, 81, "other", 601);
        event(m, PROC_EVENT_KIND_EXEC, 81, 0);
        assert_int_equal(adj_of(f, 81), 300);
        assert_int_equal(m->counters.restored, 1);
        assert_null(tracked(m, 81));
}

/* One daemon per state directory: the lock is the directory's, held by an fd,
 * and free again once that fd is closed. The directory is made 0755 whatever
 * the umask (the unit runs with UMask=0077; oompolicyctl status runs as anyone). */
static bool error_remembered(const Manager *m, const char *prefix) {
        for (size_t i = 0; i < ELEMENTSOF(m->last_errors); i++)
                if (m->last_errors[i].message && strncmp(m->last_errors[i].message, prefix, strlen(prefix)) == 0)
                        return true;
        return false;
}

/* Without a system bus the oomd_preference key does nothing, says so once, and
 * stops nothing; a user's cgroup is not even tried. (The bus path itself is
 * proven in the guest: tests/system.) */
static void test_oomd_preference_without_bus(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *user_cg = NULL;
        Manager *m;

        assert_int_equal(setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/oompolicy-test-bus", 1), 0);
        test_fake_process(f->root, &(FakeProcess) { .pid = 60, .comm = "sshd", .oom_score_adj = 0,
                                                    .cgroup = "0::/system.slice/ssh.service\n" });
        test_fake_process(f->root, &(FakeProcess) { .pid = 61, .comm = "userd", .oom_score_adj = 0,
                                                    .cgroup = "0::/user.slice/user-1000.slice/user@1000.service/app.slice/x.service\n" });
        test_mkdir_p(f->root, "sys/fs/cgroup/system.slice/ssh.service");
        test_mkdir_p(f->root, "sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/x.service");
        user_cg = test_path(f->root, "sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/x.service");
        assert_int_equal(chown(user_cg, 1000, 1000), 0);

        m = start(f, "[rule:sshd]\nname = sshd\noom_score_adj = -500\noomd_preference = avoid\n"
                     "[rule:userd]\nname = userd\noom_score_adj = 100\noomd_preference = omit\n"
                     "[daemon]\nrescan_interval = 0\n");
        /* oom_score_adj is applied all the same. */
        assert_int_equal(adj_of(f, 60), -500);
        assert_int_equal(adj_of(f, 61), 100);
        assert_true(error_remembered(m, "oomd_preference: no system bus"));
        assert_int_equal(manager_rescan(m), 0);
        assert_int_equal(unsetenv("DBUS_SYSTEM_BUS_ADDRESS"), 0);
}

/* The metrics file carries the proof of life (start and update times) and is
 * withdrawn on a clean stop: nothing is written once stopping, and the file
 * is removed after the writes queued before. */
static void test_metrics_file(void **state) {
        Fixture *f = *state;
        char *policy = NULL, *path = test_path(f->root, "oompolicyd.prom"), *text;
        Manager *m;
        double started = 0, update = 0;
        const char *p;

        assert_true(asprintf(&policy, "[rule:a]\nname = oomtest-a\noom_score_adj = 100\n"
                                      "[daemon]\nrescan_interval = 0\nmetrics_file = %s\n", path) > 0);
        m = start(f, policy);
        file_writer_flush(m->file_writer);
        text = test_read_text(f->root, "oompolicyd.prom");
        assert_non_null(p = strstr(text, "\noompolicyd_start_time_seconds "));
        started = strtod(p + strlen("\noompolicyd_start_time_seconds "), NULL);
        assert_non_null(p = strstr(text, "\noompolicyd_last_update_timestamp_seconds "));
        update = strtod(p + strlen("\noompolicyd_last_update_timestamp_seconds "), NULL);
        assert_true(started > 1e9);
        assert_true(update >= started);
        assert_non_null(strstr(text, "# TYPE oompolicyd_start_time_seconds gauge\n"));
        assert_non_null(strstr(text, "\noompolicyd_rules 1\n"));
        assert_non_null(strstr(text, "\noompolicyd_proc_connector 0\n"));   /* no_netlink */
        free(text);

        m->stopping = true;
        assert_int_equal(unlink(path), 0);
        publish_state(m);
        file_writer_flush(m->file_writer);
        assert_int_equal(access(path, F_OK), -1);   /* not written again while stopping */
        m->stopping = false;
        publish_state(m);
        publish_withdraw_metrics(m, path);
        assert_int_equal(access(path, F_OK), -1);   /* the queued write came first, then the removal */
        free(policy);
        free(path);
}

static void test_state_dir_lock(void **state) {
        _cleanup_free_ char *top = test_mkdtemp(), *dir = NULL;
        int first = -EBADF, second = -EBADF;
        mode_t old_umask = umask(0077);
        struct stat st;

        assert_non_null(top);
        assert_true(asprintf(&dir, "%s/state", top) > 0);
        assert_int_equal(publish_lock_state_dir(dir, &first), 0);
        (void) umask(old_umask);
        assert_int_equal(stat(dir, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0755);
        assert_int_equal(publish_lock_state_dir(dir, &second), -EBUSY);
        assert_int_equal(second, -EBADF);
        closep(&first);
        assert_int_equal(publish_lock_state_dir(dir, &second), 0);
        closep(&second);
        test_rm_rf(top);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_state_dir_lock),
                cmocka_unit_test_setup_teardown(test_startup_lineage, setup, teardown),
                cmocka_unit_test_setup_teardown(test_fork_exec_reset, setup, teardown),
                cmocka_unit_test_setup_teardown(test_no_longer_matching_restored, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rescan_prunes_dead, setup, teardown),
                cmocka_unit_test_setup_teardown(test_exec_untracked, setup, teardown),
                cmocka_unit_test_setup_teardown(test_exec_untracked_then_tracked, setup, teardown),
                cmocka_unit_test_setup_teardown(test_oomd_preference_without_bus, setup, teardown),
                cmocka_unit_test_setup_teardown(test_metrics_file, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
