/* SPDX-License-Identifier: MIT */
/* What the daemon says about an OOM kill (oom-kill-note) and how it follows the
 * kernel log (kernel-log, fed through a FIFO in odd-sized pieces). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "test-util.h"
#include "daemon/kernel-log.h"
#include "daemon/oom-kill-note.h"

static OomEvent *memcg_kill(void) {
        OomEvent *e = calloc(1, sizeof(OomEvent));

        assert_non_null(e);
        *e = (OomEvent) {
                .timestamp = strdup("87231.446310"),
                .trigger_comm = strdup("hog"),
                .trigger_pid = OOM_UNSET,
                .order = 0,
                .trigger_oom_score_adj = 0,
                .scope = OOM_SCOPE_MEMCG,
                .task_memcg = strdup("/system.slice/app.service"),
                .victim_pid = 4242,
                .victim_comm = strdup("worker"),
                .victim_uid = 1000,
                .total_vm_kb = 90000,
                .anon_rss_kb = 51200,
                .file_rss_kb = 1024,
                .shmem_rss_kb = 0,
                .pgtables_kb = 200,
                .victim_oom_score_adj = 300,
                .score = OOM_UNSET,
                .free_pages = OOM_UNSET, .free_swap_kb = OOM_UNSET,
                .total_ram_pages = OOM_UNSET, .reserved_pages = OOM_UNSET,
        };
        return e;
}

static bool has_field(const OomKillNote *n, const char *field) {
        for (size_t i = 0; n->fields[i]; i++)
                if (strcmp(n->fields[i], field) == 0)
                        return true;
        return false;
}

static void test_note_with_rule(void **state) {
        _cleanup_oom_event_free_ OomEvent *e = memcg_kill();
        KillAttribution a = { .rule = "batch", .rule_adj = 300, .origin = "/etc/oompolicy.conf:12" };
        OomKillNote n;

        assert_int_equal(oom_kill_note_build(e, &a, &n), 0);
        assert_int_equal(n.level, LOG_NOTICE);
        assert_false(n.protected_victim);
        assert_string_equal(n.message, "OOM kill (memory cgroup /system.slice/app.service): pid 4242 (worker) uid 1000, "
                                       "rss 52224 kB, oom_score_adj 300; rule batch (oom_score_adj 300, "
                                       "/etc/oompolicy.conf:12).");
        assert_true(has_field(&n, "OOMPOLICY_VICTIM_PID=4242"));
        assert_true(has_field(&n, "OOMPOLICY_VICTIM_COMM=worker"));
        assert_true(has_field(&n, "OOMPOLICY_VICTIM_UID=1000"));
        assert_true(has_field(&n, "OOMPOLICY_VICTIM_RSS_KB=52224"));
        assert_true(has_field(&n, "OOMPOLICY_VICTIM_OOM_SCORE_ADJ=300"));
        assert_true(has_field(&n, "OOMPOLICY_VICTIM_SCOPE=memcg"));
        assert_true(has_field(&n, "OOMPOLICY_VICTIM_MEMCG=/system.slice/app.service"));
        assert_true(has_field(&n, "OOMPOLICY_TRIGGER_COMM=hog"));
        assert_true(has_field(&n, "OOMPOLICY_KERNEL_TIMESTAMP=87231.446310"));
        /* what oompolicyctl events joins to the kernel's report of the kill */
        assert_true(has_field(&n, "OOMPOLICY_RULE_OOM_SCORE_ADJ=300"));
        assert_true(has_field(&n, "OOMPOLICY_RULE_ORIGIN=/etc/oompolicy.conf:12"));
        oom_kill_note_done(&n);
}

static void test_note_protected(void **state) {
        _cleanup_oom_event_free_ OomEvent *e = memcg_kill();
        KillAttribution a = { .rule = "sshd", .rule_adj = -900, .origin = "a.conf:3" };
        OomKillNote n;

        /* The value was in place: the kernel killed it anyway. */
        e->victim_oom_score_adj = -900;
        e->scope = OOM_SCOPE_GLOBAL;
        assert_int_equal(oom_kill_note_build(e, &a, &n), 0);
        assert_int_equal(n.level, LOG_WARNING);
        assert_true(n.protected_victim);
        assert_string_equal(n.message, "OOM kill (system-wide): pid 4242 (worker) uid 1000, rss 52224 kB, oom_score_adj "
                                       "-900; KILLED DESPITE rule sshd protecting it with oom_score_adj -900 at a.conf:3.");
        assert_true(has_field(&n, "OOMPOLICY_VICTIM_SCOPE=global"));
        oom_kill_note_done(&n);

        /* The value never got there (no CAP_SYS_RESOURCE): a different story. */
        e->victim_oom_score_adj = 0;
        assert_int_equal(oom_kill_note_build(e, &a, &n), 0);
        assert_int_equal(n.level, LOG_WARNING);
        assert_non_null(strstr(n.message, "oom_score_adj 0; KILLED although rule sshd at a.conf:3 wants oom_score_adj "
                                          "-900 for it: the value was not in place"));
        oom_kill_note_done(&n);
}

static void test_note_sparse(void **state) {
        OomEvent e = {
                .trigger_pid = OOM_UNSET, .order = OOM_UNSET, .trigger_oom_score_adj = OOM_UNSET,
                .victim_pid = 77, .victim_uid = OOM_UNSET, .total_vm_kb = OOM_UNSET, .anon_rss_kb = OOM_UNSET,
                .file_rss_kb = OOM_UNSET, .shmem_rss_kb = OOM_UNSET, .pgtables_kb = OOM_UNSET,
                .victim_oom_score_adj = OOM_UNSET, .score = OOM_UNSET,
        };
        OomKillNote n;

        /* An old kernel's kill line: no uid, no rss split, no adj, no rule. */
        assert_int_equal(oom_kill_note_build(&e, NULL, &n), 0);
        assert_int_equal(n.level, LOG_NOTICE);
        assert_string_equal(n.message, "OOM kill (system-wide): pid 77 (?) uid ?, rss ? kB, oom_score_adj ?; "
                                       "no rule governed it.");
        assert_true(has_field(&n, "OOMPOLICY_VICTIM_PID=77"));
        assert_true(has_field(&n, "OOMPOLICY_VICTIM_SCOPE=global"));
        for (size_t i = 0; n.fields[i]; i++) {
                assert_null(strstr(n.fields[i], "RSS_KB"));
                assert_null(strstr(n.fields[i], "OOMPOLICY_RULE"));
        }
        oom_kill_note_done(&n);

        e.anon_rss_kb = 10;
        assert_int_equal(oom_event_victim_rss_kb(&e), 10);
}

/* ---- the watcher ---- */

typedef struct Seen {
        int kills;
        int64_t pid[4];
        bool reaped[4];
} Seen;

static void on_kill(const OomEvent *e, void *userdata) {
        Seen *s = userdata;

        if (s->kills < 4) {
                s->pid[s->kills] = e->victim_pid;
                s->reaped[s->kills] = e->reaped;
        }
        s->kills++;
}

static int on_deadline(sd_event_source *src, uint64_t usec, void *userdata) {
        return sd_event_exit(sd_event_source_get_event(src), 0);
}

/* Runs the loop until `kills` events arrived or two seconds passed. */
static void run_until(sd_event *ev, const Seen *s, int kills) {
        sd_event_source *deadline = NULL;

        assert_int_equal(sd_event_add_time_relative(ev, &deadline, CLOCK_MONOTONIC, 2500000, 0, on_deadline, NULL), 0);
        while (s->kills < kills && sd_event_get_state(ev) != SD_EVENT_FINISHED)
                assert_true(sd_event_run(ev, 100000) >= 0);
        sd_event_source_disable_unref(deadline);
}

static void test_watch_fifo(void **state) {
        static const char kmsg[] =
                "4,2213,87231446102,-;python3 invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, "
                "oom_score_adj=0\n"
                " SUBSYSTEM=memory\n"
                "6,2269,87231446270,-;oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,"
                "global_oom,task_memcg=/user.slice,task=python3,pid=7788,uid=1000\n"
                "3,2270,87231446310,-;Out of memory: Killed process 7788 (python3) total-vm:9823004kB, "
                "anon-rss:7812340kB, file-rss:4kB, shmem-rss:0kB, UID:1000 pgtables:15528kB oom_score_adj:0\n"
                "6,2273,87231506480,-;oom_reaper: reaped process 7788 (python3), now anon-rss:0kB, file-rss:0kB, "
                "shmem-rss:0kB\n"
                "3,2280,87232446310,-;Out of memory: Killed process 7799 (java) total-vm:9823004kB, "
                "anon-rss:7812340kB, file-rss:4kB, shmem-rss:0kB, UID:1000 pgtables:15528kB oom_score_adj:0\n";
        char *dir = test_mkdtemp(), *fifo = test_path(dir, "kmsg");
        sd_event *ev = NULL;
        KernelLogWatch *w = NULL;
        Seen seen = {};
        int writer;

        assert_int_equal(mkfifo(fifo, 0600), 0);
        assert_int_equal(sd_event_new(&ev), 0);
        assert_int_equal(kernel_log_watch_new(ev, fifo, on_kill, &seen, &w), 0);
        writer = open(fifo, O_WRONLY | O_CLOEXEC);
        assert_true(writer >= 0);

        /* Pieces that cut records, and the first kill's line, in the middle. */
        for (size_t off = 0, step = 7; off < sizeof(kmsg) - 1; off += step, step = step * 3 % 101 + 1) {
                size_t n = MIN(step, sizeof(kmsg) - 1 - off);

                assert_int_equal(write(writer, kmsg + off, n), (ssize_t) n);
                assert_true(sd_event_run(ev, 0) >= 0);
        }
        /* The first kill is released by its reaper line; the second, which has
         * none, once the log has been quiet for a second. */
        run_until(ev, &seen, 2);
        assert_int_equal(seen.kills, 2);
        assert_int_equal(seen.pid[0], 7788);
        assert_true(seen.reaped[0]);
        assert_int_equal(seen.pid[1], 7799);
        assert_false(seen.reaped[1]);
        assert_int_equal(kernel_log_watch_overruns(w), 0);

        /* A line longer than any kmsg record is cut, not fatal; what follows still parses. */
        {
                size_t len = 20000;
                char *junk = malloc(len + 1);

                assert_non_null(junk);
                memset(junk, 'x', len);
                junk[len] = '\n';
                assert_int_equal(write(writer, junk, len + 1), (ssize_t) len + 1);
                free(junk);
        }
        {
                static const char again[] = "3,2290,87233446310,-;Out of memory: Killed process 8001 (perl) "
                                            "total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 "
                                            "pgtables:1kB oom_score_adj:0\n";

                assert_int_equal(write(writer, again, sizeof(again) - 1), (ssize_t) sizeof(again) - 1);
        }
        run_until(ev, &seen, 3);
        assert_int_equal(seen.kills, 3);
        assert_int_equal(seen.pid[2], 8001);

        assert_int_equal(close(writer), 0);
        kernel_log_watch_free(w);
        sd_event_unref(ev);
        test_rm_rf(dir);
        free(fifo);
        free(dir);
}

static void test_watch_missing(void **state) {
        sd_event *ev = NULL;
        KernelLogWatch *w = NULL;
        Seen seen = {};

        assert_int_equal(sd_event_new(&ev), 0);
        assert_int_equal(kernel_log_watch_new(ev, "/nonexistent/kmsg", on_kill, &seen, &w), -ENOENT);
        assert_null(w);
        sd_event_unref(ev);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_note_with_rule),
                cmocka_unit_test(test_note_protected),
                cmocka_unit_test(test_note_sparse),
                cmocka_unit_test(test_watch_fifo),
                cmocka_unit_test(test_watch_missing),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
