/* SPDX-License-Identifier: MIT */
/* The grammar of single OOM report messages, without the report parser around
 * it: kill lines, the oom-kill: summary, the oom_reaper line, the context lines
 * and the task table. test-oom-report.c checks whole reports. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "test-util.h"
#include "report/oom-context-line.h"
#include "report/oom-event.h"
#include "report/oom-kill-line.h"
#include "report/oom-task-table.h"

#define assert_unset(v) assert_true((v) == OOM_UNSET)
#define assert_i64(v, expected) assert_true((int64_t) (v) == (int64_t) (expected))

static void assert_span(const char *p, size_t n, const char *expected) {
        assert_non_null(p);
        if (n != strlen(expected) || strncmp(p, expected, n) != 0)
                fail_msg("\"%.*s\", expected \"%s\"", (int) n, p, expected);
}

static void test_kill_line_grammar(void **state) {
        OomKillLine k;

        assert_true(oom_kill_line_parse("Out of memory: Killed process 4243 (stress) total-vm:1200000kB, anon-rss:800000kB, "
                                        "file-rss:12kB, shmem-rss:4kB, UID:1000 pgtables:1600kB oom_score_adj:300", &k));
        assert_false(k.selection);
        assert_false(k.memcg);
        assert_i64(k.pid, 4243);
        assert_span(k.comm, k.comm_len, "stress");
        assert_i64(k.total_vm_kb, 1200000);
        assert_i64(k.anon_rss_kb, 800000);
        assert_i64(k.file_rss_kb, 12);
        assert_i64(k.shmem_rss_kb, 4);
        assert_i64(k.uid, 1000);
        assert_i64(k.pgtables_kb, 1600);
        assert_i64(k.oom_score_adj, 300);
        assert_unset(k.score);

        assert_true(oom_kill_line_parse("Memory cgroup out of memory: Killed process 7 (a b) total-vm:1kB, anon-rss:2kB", &k));
        assert_true(k.memcg);
        assert_span(k.comm, k.comm_len, "a b");
        assert_unset(k.file_rss_kb);
        assert_unset(k.uid);

        /* before 5.1: the selection, then the unprefixed kill line */
        assert_true(oom_kill_line_parse("Out of memory: Kill process 4243 (stress) score 950 or sacrifice child", &k));
        assert_true(k.selection);
        assert_i64(k.pid, 4243);
        assert_i64(k.score, 950);
        assert_span(k.comm, k.comm_len, "stress");
        assert_unset(k.total_vm_kb);
        assert_true(oom_kill_line_parse("Killed process 4244 (child) total-vm:10kB, anon-rss:5kB, file-rss:0kB", &k));
        assert_false(k.selection);
        assert_i64(k.pid, 4244);

        /* RHEL 7 and RHEL 6 put the uid elsewhere */
        assert_true(oom_kill_line_parse("Killed process 12 (java), UID 1001, total-vm:100kB, anon-rss:50kB, file-rss:0kB", &k));
        assert_i64(k.uid, 1001);
        assert_i64(k.total_vm_kb, 100);
        assert_true(oom_kill_line_parse("Killed process 12, UID 501, (java) total-vm:100kB, anon-rss:50kB, file-rss:1kB", &k));
        assert_i64(k.uid, 501);
        assert_span(k.comm, k.comm_len, "java");
        assert_i64(k.file_rss_kb, 1);

        /* 2.6: nothing after the comm (but a full stop) */
        assert_true(oom_kill_line_parse("Out of memory: Killed process 1234 (httpd).", &k));
        assert_span(k.comm, k.comm_len, "httpd");
        assert_unset(k.total_vm_kb);
        assert_true(oom_kill_line_parse("Killed process 1234 (httpd).", &k));
        assert_true(oom_kill_line_parse("Killed process 1235 (child)", &k));
        assert_i64(k.pid, 1235);
        assert_false(k.selection);
        assert_false(oom_kill_line_parse("Killed process 1234 (httpd) by the watchdog", &k));

        /* 2.6.2x-3x: "kill process ... or a child", oomkilladj; 2.6.3x "vsz:" */
        assert_true(oom_kill_line_parse("Out of memory: kill process 4243 (stress) score 95 or a child", &k));
        assert_true(k.selection);
        assert_i64(k.score, 95);
        assert_true(oom_kill_line_parse("Killed process 4244 (sh) vsz:10240kB, anon-rss:2048kB, file-rss:12kB", &k));
        assert_i64(k.total_vm_kb, 10240);
        assert_i64(k.anon_rss_kb, 2048);
        assert_i64(k.file_rss_kb, 12);
        /* 2.6.18 */
        assert_true(oom_kill_line_parse("Out of Memory: Kill process 4243 (stress) score 9 and children.", &k));
        assert_i64(k.score, 9);
        assert_true(oom_kill_line_parse("Out of memory: Killed process 4212, UID 48, (httpd).", &k));
        assert_i64(k.uid, 48);
        assert_span(k.comm, k.comm_len, "httpd");

        /* messages that only mention a kill */
        assert_false(oom_kill_line_parse("systemd[1]: Killed process 5 (x) total-vm:1kB", &k));
        assert_false(oom_kill_line_parse("Killed process x (y) total-vm:1kB", &k));
        assert_false(oom_kill_line_parse("Out of memory: Kill process 5 (x) with no score", &k));
        assert_false(oom_kill_line_parse("Out of memory: Killed process 5 (0123456789012345678901234567890123456789"
                                         "012345678901234567890123456789) total-vm:1kB", &k));
}

static void test_reaper_line_grammar(void **state) {
        const char *comm;
        size_t comm_len;
        int64_t pid;

        assert_true(oom_reaper_line_parse("oom_reaper: reaped process 4243 (stress), now anon-rss:0kB, file-rss:0kB, "
                                          "shmem-rss:0kB", &pid, &comm, &comm_len));
        assert_i64(pid, 4243);
        assert_span(comm, comm_len, "stress");
        /* The comm may hold what ends it; the kernel's "), now " is the last one. */
        assert_true(oom_reaper_line_parse("oom_reaper: reaped process 7 (a), now b), now anon-rss:0kB", &pid, &comm,
                                          &comm_len));
        assert_span(comm, comm_len, "a), now b");
        assert_true(oom_reaper_line_parse("oom_reaper: reaped process 7 ((sd-pam))", &pid, &comm, &comm_len));
        assert_span(comm, comm_len, "(sd-pam)");
        assert_true(oom_reaper_line_parse("oom_reaper: reaped process 7 (cut", &pid, &comm, &comm_len));
        assert_i64(pid, 7);
        assert_null(comm);
        assert_true(oom_reaper_line_parse("oom_reaper: reaped process x (stress)", &pid, &comm, &comm_len));
        assert_unset(pid);
        assert_null(comm);
        assert_false(oom_reaper_line_parse("oom_reaper: unable to reap pid:4243 (stress)", &pid, &comm, &comm_len));
}

static void test_kill_summary_grammar(void **state) {
        OomKillSummary k;

        assert_true(oom_kill_summary_parse("oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,"
                                           "global_oom,task_memcg=/user.slice,task=a,b,pid=1,uid=-1294967296", &k));
        assert_span(k.constraint, k.constraint_len, "CONSTRAINT_NONE");
        assert_false(k.memcg);
        assert_true(k.complete);
        assert_span(k.task_memcg, k.task_memcg_len, "/user.slice");
        assert_span(k.comm, k.comm_len, "a,b");
        assert_i64(k.pid, 1);
        assert_i64(k.uid, 3000000000LL);

        assert_true(oom_kill_summary_parse("oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
                                           "oom_memcg=/test,task_memcg=/test/x,task=stress,pid=9,uid=0", &k));
        assert_true(k.memcg);
        assert_span(k.task_memcg, k.task_memcg_len, "/test/x");

        /* the first half of a summary split in two records */
        assert_true(oom_kill_summary_parse("oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0", &k));
        assert_non_null(k.constraint);
        assert_false(k.complete);
        assert_null(k.comm);
        assert_unset(k.pid);

        assert_true(oom_kill_summary_parse("oom-kill:something else", &k));
        assert_null(k.constraint);
        assert_false(oom_kill_summary_parse("oom_kill: constraint=CONSTRAINT_NONE", &k));
}

static void test_context_line_grammar(void **state) {
        OomTriggerLine t;
        OomContextLine l;
        const char *g;
        size_t g_len;

        assert_true(oom_trigger_line_parse("Web Content invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), "
                                           "nodemask=(null), order=3, oom_score_adj=-17", &t));
        assert_span(t.comm, t.comm_len, "Web Content");
        assert_span(t.gfp_mask, t.gfp_mask_len, "0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP)");
        assert_i64(t.order, 3);
        assert_i64(t.oom_score_adj, -17);
        assert_true(oom_trigger_line_parse("java invoked oom-killer: gfp_mask=0x201da, order=0, oom_adj=0, oom_score_adj=0", &t));
        assert_i64(t.oom_score_adj, 0);
        assert_i64(t.oom_adj, 0);
        assert_true(oom_trigger_line_parse("httpd invoked oom-killer: gfp_mask=0x280d2, order=0, oomkilladj=-17", &t));
        assert_i64(t.oom_adj, -17);
        assert_unset(t.oom_score_adj);
        assert_true(oom_trigger_line_parse("probes invoked oom-killer: gfp_mask=0x140c0c0(GFP_KERNEL), nodemask=(null),  "
                                           "order=2, oom_score_adj=-1", &t));
        assert_i64(t.order, 2);
        assert_i64(t.oom_score_adj, -1);
        assert_false(oom_trigger_line_parse("x invoked oom-killer: nothing=1", &t));
        assert_false(oom_trigger_line_parse(" invoked oom-killer: order=0", &t));
        /* up to 2.6.18: no comm */
        assert_true(oom_trigger_line_parse("oom-killer: gfp_mask=0x200d2, order=0", &t));
        assert_null(t.comm);
        assert_span(t.gfp_mask, t.gfp_mask_len, "0x200d2");
        assert_i64(t.order, 0);
        assert_unset(t.oom_adj);
        assert_false(oom_trigger_line_parse("oom-killer: nothing=1", &t));
        assert_false(oom_trigger_line_parse("oom-killer: ", &t));
        /* trimmed by hand: the comm alone */
        assert_true(oom_trigger_line_parse("mem_on_node0 invoked oom-killer", &t));
        assert_span(t.comm, t.comm_len, "mem_on_node0");
        assert_null(t.gfp_mask);
        assert_unset(t.order);
        assert_true(oom_trigger_line_parse("Web Content invoked oom-killer ", &t));
        assert_span(t.comm, t.comm_len, "Web Content");
        assert_false(oom_trigger_line_parse(" invoked oom-killer", &t));
        assert_false(oom_trigger_line_parse("x invoked oom-killer:", &t));
        assert_false(oom_trigger_line_parse("x invoked oom-killer: ", &t));
        assert_false(oom_trigger_line_parse("x invoked oom-killers", &t));

        assert_true(oom_group_line_parse("Tasks in /a b are going to be killed due to memory.oom.group set", &g,
                                         &g_len));
        assert_span(g, g_len, "/a b");
        assert_true(oom_group_line_parse("Tasks in  are going to be killed due to memory.oom.group set", &g, &g_len));
        assert_int_equal(g_len, 0);
        assert_false(oom_group_line_parse("Tasks in /a are fine", &g, &g_len));
        assert_false(oom_group_line_parse("Tasks in are going to be killed due to memory.oom.group set", &g, &g_len));

        oom_context_line_parse("CPU: 1 UID: 0 PID: 4242 Comm: Web Content Not tainted 6.12.0 #1", &l);
        assert_int_equal(l.kind, OOM_CONTEXT_DUMP_STACK);
        assert_i64(l.value, 4242);
        assert_true(oom_context_line_names(&l, "Web Content"));
        assert_false(oom_context_line_names(&l, "Web Cont"));
        assert_false(oom_context_line_names(&l, "Web Contents"));
        oom_context_line_parse("Pid: 2603, comm: java Not tainted 2.6.32-754.el6.x86_64 #1", &l);
        assert_int_equal(l.kind, OOM_CONTEXT_DUMP_STACK);
        assert_i64(l.value, 2603);
        assert_true(oom_context_line_names(&l, "java"));
        oom_context_line_parse("CPU: 1 unreadable", &l);
        assert_int_equal(l.kind, OOM_CONTEXT_DUMP_STACK);
        assert_unset(l.value);
        assert_false(oom_context_line_names(&l, "java"));

        oom_context_line_parse("Mem-Info:", &l);
        assert_int_equal(l.kind, OOM_CONTEXT_MEM_INFO);
        oom_context_line_parse("Free swap  = 1234kB", &l);
        assert_int_equal(l.kind, OOM_CONTEXT_FREE_SWAP);
        assert_i64(l.value, 1234);
        oom_context_line_parse("Free swap  = lots", &l);
        assert_int_equal(l.kind, OOM_CONTEXT_FREE_SWAP);
        assert_unset(l.value);
        oom_context_line_parse("1048575 pages RAM", &l);
        assert_int_equal(l.kind, OOM_CONTEXT_PAGES_RAM);
        assert_i64(l.value, 1048575);
        oom_context_line_parse("34458 pages reserved", &l);
        assert_int_equal(l.kind, OOM_CONTEXT_PAGES_RESERVED);
        assert_i64(l.value, 34458);
        oom_context_line_parse("Task in /a/b killed as a result of limit of /a", &l);
        assert_int_equal(l.kind, OOM_CONTEXT_MEMCG_LIMIT);
        assert_span(l.text, l.text_len, "/a/b");
        oom_context_line_parse("memory: usage 1024kB, limit 1024kB, failcnt 12", &l);
        assert_int_equal(l.kind, OOM_CONTEXT_MEMCG_INFO);
        oom_context_line_parse("active_anon:1 inactive_anon:2", &l);
        assert_int_equal(l.kind, OOM_CONTEXT_OTHER);

        assert_i64(oom_meminfo_free_pages(" free:12345 free_pcp:61 free_cma:0"), 12345);
        assert_unset(oom_meminfo_free_pages("Node 0 DMA free:15732kB min:60kB"));
        assert_unset(oom_meminfo_free_pages(" free_pcp:61"));
}

static void test_task_table_grammar(void **state) {
        OomTaskTable t = {};
        OomTaskRow row;
        const char *name;

        assert_true(oom_task_table_parse_header("[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds swapents "
                                                "oom_score_adj name", &t));
        assert_int_equal(t.n_columns, 8);
        assert_int_equal(t.columns[0], OOM_TASK_COLUMN_UID);
        assert_int_equal(t.columns[5], OOM_TASK_COLUMN_NR_PMDS);
        assert_true(oom_task_table_parse_row(&t, "[  532]     0   532    11336      113      24       3        0"
                                                 "         -1000 systemd-journal", &row, &name));
        assert_i64(row.pid, 532);
        assert_i64(row.uid, 0);
        assert_i64(row.rss, 113);
        assert_i64(row.nr_ptes, 24);
        assert_unset(row.pgtables_bytes);
        assert_i64(row.oom_score_adj, -1000);
        assert_null(row.name);
        assert_string_equal(name, "systemd-journal");

        assert_true(oom_task_table_parse_header("[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem "
                                                "pgtables_bytes swapents oom_score_adj name", &t));
        assert_int_equal(t.n_columns, 10);
        assert_true(oom_task_table_parse_row(&t, "[   4243]  1000  4243   300000   200000   199000     1000        0"
                                                 "  1638400        0           300 Web Content", &row, &name));
        assert_i64(row.rss_anon, 199000);
        assert_i64(row.pgtables_bytes, 1638400);
        assert_unset(row.nr_ptes);
        assert_string_equal(name, "Web Content");

        /* a row of another layout, and no header at all */
        assert_false(oom_task_table_parse_row(&t, "[  532]     0   532    11336      113      24       3        0 x",
                                              &row, &name));
        assert_false(oom_task_table_parse_header("[  pid  ]   uid  tgid total_vm", &t));
        assert_false(oom_task_table_parse_header("[ 1234.5] [ pid ] uid name", &t));
        assert_int_equal(t.n_columns, 10);

        /* rows without their header: uid tgid total_vm rss first, oom_score_adj last */
        assert_true(oom_task_table_guess_layout("[ 910813]     0 910813 25425140  6316768 76255232  3166464"
                                                "           200 bandwhich", &t));
        assert_int_equal(t.n_columns, 7);
        assert_true(oom_task_table_parse_row(&t, "[ 910813]     0 910813 25425140  6316768 76255232  3166464"
                                                 "           200 bandwhich", &row, &name));
        assert_i64(row.tgid, 910813);
        assert_i64(row.rss, 6316768);
        assert_i64(row.oom_score_adj, 200);
        assert_unset(row.pgtables_bytes);
        assert_string_equal(name, "bandwhich");
        assert_false(oom_task_table_guess_layout("[ 1234] 1 2 3 4 5 x", &t));       /* too few numbers */
        assert_false(oom_task_table_guess_layout("[ 1234] 1 2 3 4 5 6 ", &t));      /* no name */
        assert_false(oom_task_table_guess_layout("[  pid  ]   uid  tgid total_vm rss name", &t));
        assert_int_equal(t.n_columns, 7);
}

static void test_no_killable_line_grammar(void **state) {
        assert_true(oom_no_killable_line_parse("Out of memory and no killable processes..."));
        assert_true(oom_no_killable_line_parse("Kernel panic - not syncing: Out of memory and no killable processes..."));
        assert_false(oom_no_killable_line_parse("Kernel panic - not syncing: System is deadlocked on memory"));
        assert_false(oom_no_killable_line_parse("Out of memory: Killed process 1 (init)"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_kill_line_grammar),
                cmocka_unit_test(test_reaper_line_grammar),
                cmocka_unit_test(test_kill_summary_grammar),
                cmocka_unit_test(test_context_line_grammar),
                cmocka_unit_test(test_task_table_grammar),
                cmocka_unit_test(test_no_killable_line_grammar),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
