/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test-util.h"
#include "ctl/events-time.h"
#include "ctl/oom-event-output.h"
#include "report/klog-line.h"
#include "report/oom-report.h"
#include "shared/macro.h"

typedef struct Events {
        OomEvent **items;
        size_t n;
} Events;

static void events_done(Events *ev) {
        for (size_t i = 0; i < ev->n; i++)
                oom_event_free(ev->items[i]);
        free(ev->items);
        ev->items = NULL;
        ev->n = 0;
}

static void drain(OomReportParser *p, Events *ev) {
        OomEvent *e;

        while (oom_report_parser_pop(p, &e) > 0) {
                ev->items = realloc(ev->items, (ev->n + 1) * sizeof(OomEvent *));
                assert_non_null(ev->items);
                ev->items[ev->n++] = e;
        }
}

/* Feeds text line by line, popping as a live consumer would, then finishes. */
static void parse_text(const char *text, Events *ev) {
        _cleanup_oom_report_parser_free_ OomReportParser *p = NULL;
        _cleanup_free_ char *copy = NULL;
        char *line, *next;

        assert_int_equal(oom_report_parser_new(&p), 0);
        copy = strdup(text);
        assert_non_null(copy);
        for (line = copy; line && *line != '\0'; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                assert_int_equal(oom_report_parser_feed_line(p, line), 0);
                drain(p, ev);
        }
        assert_int_equal(oom_report_parser_finish(p), 0);
        drain(p, ev);
}

static void parse_fixture(const char *name, Events *ev) {
        _cleanup_oom_report_parser_free_ OomReportParser *p = NULL;
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *path = NULL, *line = NULL;
        size_t n = 0;

        assert_true(asprintf(&path, "%s/oom/%s", TEST_DATADIR, name) > 0);
        f = fopen(path, "re");
        assert_non_null(f);
        assert_int_equal(oom_report_parser_new(&p), 0);
        while (getline(&line, &n, f) > 0) {
                assert_int_equal(oom_report_parser_feed_line(p, line), 0);
                drain(p, ev);
        }
        assert_int_equal(oom_report_parser_finish(p), 0);
        drain(p, ev);
}

#define assert_unset(v) assert_true((v) == OOM_UNSET)
#define assert_i64(v, expected) assert_true((int64_t) (v) == (int64_t) (expected))

/* expected: the line after its wall-clock column, which depends on TZ and is
 * checked in test-events. */
static void assert_format_line(const OomEvent *e, const char *expected) {
        _cleanup_free_ char *s = oom_event_format_line(e, NULL);
        char wall[40];

        assert_non_null(s);
        events_format_wallclock(e->time.realtime_usec, wall);
        assert_true(strncmp(s, wall, strlen(wall)) == 0 && s[strlen(wall)] == ' ');
        assert_string_equal(s + strlen(wall) + 1, expected);
}

static const OomTaskRow *find_row(const OomEvent *e, int64_t pid) {
        for (size_t i = 0; i < e->n_tasks; i++)
                if (e->tasks[i].pid == pid)
                        return &e->tasks[i];
        fail_msg("no task row for pid %lld", (long long) pid);
        return NULL;
}

/* ---------------------------------------------------------------- line splitting */

static void check_line(const char *line, KlogSource source, const char *ts, const char *text) {
        _cleanup_(klog_line_done) KlogLine l = {};

        assert_int_equal(klog_line_parse(line, &l), 0);
        if (l.source != source)
                fail_msg("\"%s\": source %d, expected %d", line, l.source, source);
        if (ts) {
                assert_non_null(l.timestamp);
                assert_string_equal(l.timestamp, ts);
        } else if (l.timestamp)
                fail_msg("\"%s\": unexpected timestamp \"%s\"", line, l.timestamp);
        if (text) {
                assert_non_null(l.text);
                assert_string_equal(l.text, text);
        } else
                assert_null(l.text);
}

static void test_klog_line(void **state) {
        const KlogSource K = KLOG_SOURCE_KERNEL, O = KLOG_SOURCE_OTHER, N = KLOG_SOURCE_NONE;

        check_line("[ 1234.567890] msg here\n", K, "1234.567890", "msg here");
        check_line("[    0.000000] Linux version 6.1.0", K, "0.000000", "Linux version 6.1.0");
        check_line("[1038452.178901]  dump_stack+0x19/0x1b\r\n", K, "1038452.178901", " dump_stack+0x19/0x1b");
        check_line("[Sun Aug 11 20:21:28 2024] msg", K, "Sun Aug 11 20:21:28 2024", "msg");
        check_line("[  +0.000123] msg", K, "+0.000123", "msg");
        check_line("[Aug11 20:21] msg", K, "Aug11 20:21", "msg");
        check_line("[ 1234.567890 <    0.000123>] msg", K, "1234.567890", "msg");
        check_line("[drm:intel_dp_link_train [i915]] *ERROR* failed", K, NULL, "[drm:intel_dp_link_train [i915]] *ERROR* failed");
        check_line("1716278123.123456 host kernel: msg", K, "1716278123.123456", "msg");
        check_line("1716278123.123456 host app[2]: msg", O, NULL, NULL);
        check_line("[月  1月 26 01:49:41 2026] systemd invoked", K, "月  1月 26 01:49:41 2026", "systemd invoked");
        check_line("2024-08-11T20:21:28,123456+02:00 msg", K, "2024-08-11T20:21:28,123456+02:00", "msg");
        check_line("<4>[ 12.500000] msg", K, "12.500000", "msg");
        check_line("<4>msg", K, NULL, "msg");
        check_line("<14>[ 12.500000] msg", O, NULL, NULL);
        check_line("kern  :warn  : [ 12.500000] msg", K, "12.500000", "msg");
        check_line("user  :notice: [ 12.500000] msg", O, NULL, NULL);
        check_line("May 21 09:55:23 host kernel: msg", K, "May 21 09:55:23", "msg");
        check_line("May  1 09:55:23 host kernel: msg", K, "May  1 09:55:23", "msg");
        check_line("May 21 09:55:23.123456 host kernel: msg", K, "May 21 09:55:23.123456", "msg");
        check_line("апр 28 01:23:30 PC kernel: msg", K, "апр 28 01:23:30", "msg");
        check_line("May 21 09:55:23 host kernel: [ 1234.500000] msg", K, "May 21 09:55:23", "msg");
        check_line("May 21 09:55:23 host kernel: [  1234]     0 row", K, "May 21 09:55:23", "[  1234]     0 row");
        check_line("May 21 09:55:23 host kernel: a#012 b", K, "May 21 09:55:23", "a\n b");
        check_line("May 21 09:55:23 host kernel:", K, "May 21 09:55:23", "");
        check_line("May 21 09:55:23 kernel: no host", K, "May 21 09:55:23", "no host");
        check_line("May 21 09:55:23 host sshd[123]: Killed process 1 (x)", O, NULL, NULL);
        check_line("May 21 09:55:23 host root: msg", O, NULL, NULL);
        check_line("May 21 09:55:23 host kernel[12]: msg", O, NULL, NULL);
        check_line("May 21 09:55:23 host last message repeated 3 times", O, NULL, NULL);
        check_line("2024-05-21T09:55:23.123456+00:00 host kernel: msg", K, "2024-05-21T09:55:23.123456+00:00", "msg");
        check_line("2024-05-21T09:55:23+0000 host kernel: msg", K, "2024-05-21T09:55:23+0000", "msg");
        check_line("2024-05-21T09:55:23Z host kernel: msg", K, "2024-05-21T09:55:23Z", "msg");
        check_line("2024-05-21T09:55:23+00:00 host app[1]: msg", O, NULL, NULL);
        check_line("Tue 2024-05-21 09:55:23 UTC host kernel: msg", K, "Tue 2024-05-21 09:55:23 UTC", "msg");
        check_line("[ 1234.567890] host kernel: msg", K, "1234.567890", "msg");
        check_line("[ 1234.567890] host sshd[1]: msg", O, NULL, NULL);
        check_line("[ 1234.567890] systemd[1]: Started foo.", K, "1234.567890", "systemd[1]: Started foo.");
        check_line("[ 1234.567890] usb 1-1: new device", K, "1234.567890", "usb 1-1: new device");
        check_line("6,1234,5678901,-;msg", K, "5.678901", "msg");
        check_line("4,1,0,-;msg", K, "0.000000", "msg");
        check_line("6,1234,5678901,-,caller=T42;msg", K, "5.678901", "msg");
        check_line("6,1234,5678901,c;a\\x0a b\\x5c\\x00", K, "5.678901", "a\n b\\\\x00");
        check_line("14,1234,5678901,-;msg", O, NULL, NULL);
        check_line(" SUBSYSTEM=pci", K, NULL, " SUBSYSTEM=pci");
        check_line("", N, NULL, NULL);
        check_line("\r\n", N, NULL, NULL);
        check_line("-- Boot 1a2b3c --", N, NULL, NULL);
        check_line("-- No entries --", N, NULL, NULL);
        check_line("just text", K, NULL, "just text");
        check_line("[  pid  ]   uid  tgid name", K, NULL, "[  pid  ]   uid  tgid name");
        check_line("[  1234]     0  1234 x", K, NULL, "[  1234]     0  1234 x");
        check_line("[ 12.x] odd", K, NULL, "[ 12.x] odd");
        check_line("[", K, NULL, "[");
        check_line("<", K, NULL, "<");
        check_line("1,2,3,-", K, NULL, "1,2,3,-");

        {
                _cleanup_(klog_line_done) KlogLine l = {};

                assert_int_equal(klog_line_parse("   continued", &l), 0);
                assert_true(l.continuation);
                assert_int_equal(l.format, KLOG_FORMAT_BARE);
        }
}

/* ---------------------------------------------------------------- fixtures */

static void test_fixture_rhel7_dmesg(void **state) {
        Events ev = {};
        const OomEvent *e;
        const OomTaskRow *r;

        parse_fixture("rhel7-3.10-dmesg.log", &ev);
        assert_int_equal(ev.n, 1);
        e = ev.items[0];
        assert_string_equal(e->timestamp, "1038452.178901");
        assert_string_equal(e->trigger_comm, "java");
        assert_i64(e->trigger_pid, 28731);
        assert_string_equal(e->gfp_mask, "0x201da");
        assert_i64(e->order, 0);
        assert_i64(e->trigger_oom_score_adj, 0);
        assert_null(e->constraint);
        assert_int_equal(e->scope, OOM_SCOPE_GLOBAL);
        assert_null(e->task_memcg);
        assert_i64(e->victim_pid, 28711);
        assert_string_equal(e->victim_comm, "java");
        assert_i64(e->victim_uid, 1001);
        assert_i64(e->total_vm_kb, 19485304);
        assert_i64(e->anon_rss_kb, 14955116);
        assert_i64(e->file_rss_kb, 0);
        assert_i64(e->shmem_rss_kb, 0);
        assert_unset(e->pgtables_kb);
        assert_unset(e->victim_oom_score_adj);
        assert_i64(e->score, 912);
        assert_false(e->reaped);
        assert_i64(e->free_pages, 33185);
        assert_i64(e->free_swap_kb, 0);
        assert_i64(e->total_ram_pages, 4194174);
        assert_i64(e->reserved_pages, 101486);
        assert_true(e->has_task_table);
        assert_int_equal(e->n_tasks, 12);
        r = find_row(e, 28711);
        assert_i64(r->uid, 1001);
        assert_i64(r->tgid, 28711);
        assert_i64(r->total_vm, 4871326);
        assert_i64(r->rss, 3738779);
        assert_i64(r->nr_ptes, 7547);
        assert_unset(r->pgtables_bytes);
        assert_unset(r->rss_anon);
        assert_i64(r->swapents, 0);
        assert_i64(r->oom_score_adj, 0);
        assert_string_equal(r->name, "java");
        assert_i64(find_row(e, 557)->oom_score_adj, -1000);
        assert_string_equal(find_row(e, 532)->name, "systemd-journal");
        assert_format_line(e, "[1038452.178901] killed 28711 (java) uid=1001 anon-rss=14604.6MiB oom_score_adj=- "
                              "global trigger=java order=0");
        events_done(&ev);
}

static void test_fixture_rhel7_memcg_messages(void **state) {
        Events ev = {};
        const OomEvent *e;
        static const char memcg[] =
                "/system.slice/docker-3f2c9d2a41b07e5a18c3e33b9a7b5a0c2e1f6d4c8b9a0e1f2d3c4b5a69788796.scope";

        parse_fixture("rhel7-3.10-memcg-messages.log", &ev);
        assert_int_equal(ev.n, 1);
        e = ev.items[0];
        assert_string_equal(e->timestamp, "May 21 09:55:23");
        assert_string_equal(e->trigger_comm, "stress");
        assert_i64(e->trigger_pid, 9123);
        assert_string_equal(e->gfp_mask, "0xd0");
        assert_int_equal(e->scope, OOM_SCOPE_MEMCG);
        assert_string_equal(e->task_memcg, memcg);
        assert_null(e->constraint);
        assert_i64(e->victim_pid, 9123);
        assert_string_equal(e->victim_comm, "stress");
        assert_unset(e->victim_uid);
        assert_i64(e->total_vm_kb, 531624);
        assert_i64(e->anon_rss_kb, 524212);
        assert_i64(e->file_rss_kb, 40);
        assert_i64(e->shmem_rss_kb, 0);
        assert_i64(e->score, 1001);
        assert_false(e->reaped);
        /* memcg OOMs print no Mem-Info */
        assert_unset(e->free_pages);
        assert_unset(e->total_ram_pages);
        /* a non-kernel line in the middle of the table did not end it */
        assert_int_equal(e->n_tasks, 3);
        assert_i64(find_row(e, 9123)->rss, 131063);
        events_done(&ev);
}

static void test_fixture_414_dmesg_T(void **state) {
        Events ev = {};
        const OomEvent *e;
        const OomTaskRow *r;

        parse_fixture("4.14-dmesg-T.log", &ev);
        assert_int_equal(ev.n, 1);
        e = ev.items[0];
        assert_string_equal(e->timestamp, "Sun Mar  4 14:50:31 2018");
        assert_string_equal(e->trigger_comm, "Xorg");
        assert_i64(e->trigger_pid, 1342);
        assert_string_equal(e->gfp_mask, "0x14201ca(GFP_HIGHUSER_MOVABLE|__GFP_COLD)");
        assert_i64(e->order, 0);
        assert_i64(e->trigger_oom_score_adj, 0);
        assert_int_equal(e->scope, OOM_SCOPE_GLOBAL);
        assert_i64(e->victim_pid, 3011);
        assert_string_equal(e->victim_comm, "Web Content");
        assert_unset(e->victim_uid);
        assert_i64(e->total_vm_kb, 3543220);
        assert_i64(e->anon_rss_kb, 1529200);
        assert_i64(e->shmem_rss_kb, 18084);
        assert_i64(e->score, 402);
        assert_true(e->reaped);
        assert_i64(e->free_pages, 33422);
        assert_i64(e->free_swap_kb, 0);
        assert_i64(e->total_ram_pages, 2047671);
        assert_i64(e->reserved_pages, 46322);
        assert_int_equal(e->n_tasks, 11);
        r = find_row(e, 2944);
        assert_string_equal(r->name, "Web Content");
        assert_i64(r->nr_ptes, 701);
        assert_i64(r->swapents, 9341);
        assert_string_equal(find_row(e, 1589)->name, "(sd-pam)");
        assert_string_equal(find_row(e, 3102)->name, "a) b");
        assert_i64(find_row(e, 601)->oom_score_adj, -900);
        assert_format_line(e, "[Sun Mar  4 14:50:31 2018] killed 3011 (Web Content) uid=- anon-rss=1493.4MiB "
                              "oom_score_adj=- global trigger=Xorg order=0");
        events_done(&ev);
}

static void test_fixture_419_journal(void **state) {
        Events ev = {};
        const OomEvent *e;
        const OomTaskRow *r;

        parse_fixture("4.19-journalctl-k.log", &ev);
        assert_int_equal(ev.n, 1);
        e = ev.items[0];
        assert_string_equal(e->timestamp, "Apr 17 10:13:13");
        assert_string_equal(e->trigger_comm, "node");
        assert_i64(e->trigger_pid, 20312);
        assert_string_equal(e->gfp_mask, "0x6280ca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO)");
        assert_string_equal(e->constraint, "CONSTRAINT_NONE");
        assert_int_equal(e->scope, OOM_SCOPE_GLOBAL);
        assert_string_equal(e->task_memcg, "/system.slice/app.service");
        assert_i64(e->victim_pid, 20312);
        assert_string_equal(e->victim_comm, "node");
        /* from the oom-kill: summary, as the 4.19 kill line has no UID */
        assert_i64(e->victim_uid, 998);
        assert_i64(e->total_vm_kb, 4318012);
        assert_i64(e->anon_rss_kb, 3441192);
        assert_unset(e->pgtables_kb);
        assert_i64(e->score, 868);
        assert_true(e->reaped);
        /* journalctl indents the continuation lines of the Mem-Info record */
        assert_i64(e->free_pages, 21040);
        assert_i64(e->total_ram_pages, 1048446);
        assert_i64(e->reserved_pages, 36930);
        assert_int_equal(e->n_tasks, 8);
        r = find_row(e, 20312);
        assert_i64(r->pgtables_bytes, 7393280);
        assert_unset(r->nr_ptes);
        assert_i64(r->uid, 998);
        events_done(&ev);
}

static void test_fixture_510_kmsg(void **state) {
        Events ev = {};
        const OomEvent *e;

        parse_fixture("5.10-kmsg.log", &ev);
        assert_int_equal(ev.n, 1);
        e = ev.items[0];
        assert_string_equal(e->timestamp, "87231.446102");
        assert_string_equal(e->trigger_comm, "python3");
        assert_i64(e->trigger_pid, 7788);
        assert_string_equal(e->gfp_mask, "0x100cca(GFP_HIGHUSER_MOVABLE)");
        assert_string_equal(e->constraint, "CONSTRAINT_NONE");
        assert_string_equal(e->task_memcg, "/user.slice/user-1000.slice/session-4.scope");
        assert_i64(e->victim_pid, 7788);
        assert_i64(e->victim_uid, 1000);
        assert_i64(e->total_vm_kb, 9823004);
        assert_i64(e->anon_rss_kb, 7812340);
        assert_i64(e->file_rss_kb, 4);
        assert_i64(e->shmem_rss_kb, 0);
        assert_i64(e->pgtables_kb, 15528);
        assert_i64(e->victim_oom_score_adj, 0);
        assert_unset(e->score);
        /* the reaper line came after a record with dictionary lines and a user-space record */
        assert_true(e->reaped);
        /* Mem-Info is a single record with \x0a escapes */
        assert_i64(e->free_pages, 25117);
        assert_i64(e->total_ram_pages, 2061217);
        assert_int_equal(e->n_tasks, 7);
        assert_i64(find_row(e, 284)->oom_score_adj, -250);
        events_done(&ev);
}

static void test_fixture_61_dmesg(void **state) {
        Events ev = {};
        const OomEvent *e;
        const OomTaskRow *r;

        parse_fixture("6.1-dmesg.log", &ev);
        assert_int_equal(ev.n, 1);
        e = ev.items[0];
        assert_string_equal(e->timestamp, "1234.567890");
        assert_string_equal(e->trigger_comm, "kworker/u8:2");
        assert_i64(e->trigger_pid, 15771);
        assert_string_equal(e->gfp_mask, "0xcc0(GFP_KERNEL)");
        assert_i64(e->order, 0);
        assert_string_equal(e->constraint, "CONSTRAINT_NONE");
        assert_int_equal(e->scope, OOM_SCOPE_GLOBAL);
        assert_string_equal(e->task_memcg, "/system.slice/elastic.service");
        assert_i64(e->victim_pid, 15510);
        assert_string_equal(e->victim_comm, "java");
        assert_i64(e->victim_uid, 1000);
        assert_i64(e->anon_rss_kb, 15808056);
        assert_i64(e->pgtables_kb, 31460);
        assert_i64(e->victim_oom_score_adj, 300);
        assert_true(e->reaped);
        assert_i64(e->free_pages, 42180);
        assert_i64(e->free_swap_kb, 24);
        assert_i64(e->total_ram_pages, 4185462);
        assert_i64(e->reserved_pages, 97813);
        assert_int_equal(e->n_tasks, 9);
        r = find_row(e, 2045);
        assert_string_equal(r->name, "(sd-pam)");
        assert_i64(r->rss, 0);
        assert_i64(r->swapents, 1091);
        assert_i64(r->oom_score_adj, 100);
        assert_string_equal(find_row(e, 1022)->name, "systemd-timesyn");
        assert_format_line(e, "[ 1234.567890] killed 15510 (java) uid=1000 anon-rss=15437.6MiB oom_score_adj=300 "
                              "global trigger=kworker/u8:2 order=0");
        events_done(&ev);
}

static void test_fixture_61_memcg(void **state) {
        Events ev = {};
        const OomEvent *e;
        static const char memcg[] =
                "/system.slice/docker-9b1e5a0c7d3f2e8a6b4c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a.scope";
        _cleanup_free_ char *expected = NULL;

        parse_fixture("6.1-memcg-journal-short-iso.log", &ev);
        assert_int_equal(ev.n, 1);
        e = ev.items[0];
        assert_string_equal(e->timestamp, "2024-06-02T17:33:31+0000");
        assert_string_equal(e->trigger_comm, "node");
        assert_i64(e->trigger_pid, 48213);
        assert_string_equal(e->constraint, "CONSTRAINT_MEMCG");
        assert_int_equal(e->scope, OOM_SCOPE_MEMCG);
        assert_string_equal(e->task_memcg, memcg);
        assert_i64(e->victim_pid, 48213);
        assert_i64(e->victim_uid, 1000);
        assert_i64(e->anon_rss_kb, 519816);
        assert_i64(e->pgtables_kb, 2688);
        assert_true(e->reaped);
        assert_unset(e->free_pages);
        assert_int_equal(e->n_tasks, 3);
        assert_string_equal(find_row(e, 48188)->name, "npm run start");
        assert_true(asprintf(&expected, "[2024-06-02T17:33:31+0000] killed 48213 (node) uid=1000 anon-rss=507.6MiB "
                                        "oom_score_adj=0 memcg %s trigger=node order=0", memcg) > 0);
        assert_format_line(e, expected);
        events_done(&ev);
}

static void test_fixture_612_syslog(void **state) {
        Events ev = {};
        const OomEvent *e;
        const OomTaskRow *r;

        parse_fixture("6.12-syslog-rfc3339.log", &ev);
        assert_int_equal(ev.n, 1);
        e = ev.items[0];
        assert_string_equal(e->timestamp, "2024-11-02T14:03:11.482913+01:00");
        assert_string_equal(e->trigger_comm, "Isolated Web Co");
        /* "CPU: 6 UID: 1000 PID: 30877 Comm: ..." */
        assert_i64(e->trigger_pid, 30877);
        assert_i64(e->trigger_oom_score_adj, 167);
        assert_string_equal(e->gfp_mask, "0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO)");
        assert_string_equal(e->task_memcg,
                            "/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.mozilla.firefox-28801.scope");
        assert_i64(e->victim_pid, 30877);
        assert_string_equal(e->victim_comm, "Isolated Web Co");
        assert_i64(e->victim_uid, 1000);
        assert_i64(e->total_vm_kb, 42892804);
        assert_i64(e->file_rss_kb, 48924);
        assert_i64(e->shmem_rss_kb, 7112);
        assert_i64(e->victim_oom_score_adj, 167);
        assert_true(e->reaped);
        /* Mem-Info arrived as one line with rsyslog's #012 escapes */
        assert_i64(e->free_pages, 30871);
        assert_i64(e->total_ram_pages, 4063048);
        assert_i64(e->reserved_pages, 102514);
        assert_int_equal(e->n_tasks, 9);
        r = find_row(e, 30877);
        assert_i64(r->rss, 3567110);
        assert_i64(r->rss_anon, 3553101);
        assert_i64(r->rss_file, 12231);
        assert_i64(r->rss_shmem, 1778);
        assert_i64(r->pgtables_bytes, 35184640);
        assert_i64(r->swapents, 412331);
        assert_i64(r->oom_score_adj, 167);
        assert_string_equal(r->name, "Isolated Web Co");
        events_done(&ev);
}

static void test_fixture_truncated(void **state) {
        Events ev = {};
        const OomEvent *e;

        parse_fixture("6.1-truncated-dmesg.log", &ev);
        assert_int_equal(ev.n, 1);
        e = ev.items[0];
        assert_string_equal(e->trigger_comm, "kworker/u8:2");
        assert_i64(e->trigger_pid, 15771);
        assert_i64(e->free_pages, 42180);
        assert_true(e->has_task_table);
        assert_int_equal(e->n_tasks, 5);
        assert_unset(e->victim_pid);
        assert_null(e->victim_comm);
        assert_null(e->constraint);
        assert_false(e->reaped);
        /* cut short before its kill: shown as a report without one */
        assert_format_line(e, "[ 1234.567890] no kill global trigger=kworker/u8:2 order=0");
        events_done(&ev);
}

static void test_fixture_non_oom(void **state) {
        Events ev = {};

        parse_fixture("non-oom.log", &ev);
        /* No kill; the one report is the lone "Out of memory and no killable processes..."
         * line, which says the OOM killer ran and found nothing to kill. */
        assert_int_equal(ev.n, 1);
        assert_false(ev.items[0]->has_kill);
        assert_true(ev.items[0]->no_killable);
        assert_unset(ev.items[0]->victim_pid);
        assert_null(ev.items[0]->trigger_comm);
        events_done(&ev);
}

/* All fixtures concatenated: reports in different renderings back to back. The
 * "no killable processes" line of non-oom.log is a kill-less report there too. */
static void test_fixtures_concatenated(void **state) {
        static const char *const names[] = {
                "rhel7-3.10-dmesg.log", "non-oom.log", "rhel7-3.10-memcg-messages.log", "4.14-dmesg-T.log",
                "4.19-journalctl-k.log", "5.10-kmsg.log", "6.1-dmesg.log", "6.1-memcg-journal-short-iso.log",
                "6.12-syslog-rfc3339.log",
        };
        static const int64_t victims[] = { 28711, OOM_UNSET, 9123, 3011, 20312, 7788, 15510, 48213, 30877 };
        _cleanup_oom_report_parser_free_ OomReportParser *p = NULL;
        Events ev = {};

        assert_int_equal(oom_report_parser_new(&p), 0);
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                _cleanup_free_ char *path = NULL, *line = NULL;
                _cleanup_fclose_ FILE *f = NULL;
                size_t n = 0;

                assert_true(asprintf(&path, "%s/oom/%s", TEST_DATADIR, names[i]) > 0);
                f = fopen(path, "re");
                assert_non_null(f);
                while (getline(&line, &n, f) > 0) {
                        assert_int_equal(oom_report_parser_feed_line(p, line), 0);
                        drain(p, &ev);
                }
        }
        assert_int_equal(oom_report_parser_finish(p), 0);
        drain(p, &ev);

        assert_int_equal(ev.n, ELEMENTSOF(victims));
        for (size_t i = 0; i < ev.n; i++) {
                assert_i64(ev.items[i]->victim_pid, victims[i]);
                assert_int_equal(ev.items[i]->has_kill, victims[i] != OOM_UNSET);
        }
        assert_true(ev.items[1]->no_killable);
        events_done(&ev);
}

/* ---------------------------------------------------------------- constructed cases */

static void test_comm_edge_cases(void **state) {
        Events ev = {};

        parse_text("a) b invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n"
                   "CPU: 0 PID: 77 Comm: a) b Not tainted 6.1.0 #1\n"
                   "Out of memory: Killed process 77 (a) b) total-vm:100kB, anon-rss:50kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0\n"
                   "(sd-pam) invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=100\n"
                   "CPU: 0 UID: 1000 PID: 78 Comm: (sd-pam) Tainted: G        W          6.12.0 #1\n"
                   "Out of memory: Killed process 78 ((sd-pam)) total-vm:100kB, anon-rss:50kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:4kB oom_score_adj:100\n"
                   "Web Content invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n"
                   "CPU: 0 PID: 79 Comm: Web Content Not tainted 6.1.0 #1\n"
                   "Out of memory: Killed process 80 (x) total-vm:1 y) total-vm:100kB, anon-rss:2048kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:-17\n"
                   "oom_reaper: reaped process 80 (x) total-vm:1 y), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB\n",
                   &ev);
        assert_int_equal(ev.n, 3);

        assert_string_equal(ev.items[0]->trigger_comm, "a) b");
        assert_i64(ev.items[0]->trigger_pid, 77);
        assert_string_equal(ev.items[0]->victim_comm, "a) b");
        assert_i64(ev.items[0]->total_vm_kb, 100);

        assert_string_equal(ev.items[1]->trigger_comm, "(sd-pam)");
        assert_i64(ev.items[1]->trigger_pid, 78);
        assert_i64(ev.items[1]->trigger_oom_score_adj, 100);
        assert_string_equal(ev.items[1]->victim_comm, "(sd-pam)");
        assert_i64(ev.items[1]->victim_uid, 1000);

        assert_string_equal(ev.items[2]->trigger_comm, "Web Content");
        assert_i64(ev.items[2]->trigger_pid, 79);
        assert_i64(ev.items[2]->victim_pid, 80);
        assert_string_equal(ev.items[2]->victim_comm, "x) total-vm:1 y");
        assert_i64(ev.items[2]->total_vm_kb, 100);
        assert_i64(ev.items[2]->anon_rss_kb, 2048);
        assert_i64(ev.items[2]->victim_oom_score_adj, -17);
        assert_true(ev.items[2]->reaped);
        assert_format_line(ev.items[2], "[-] killed 80 (x) total-vm:1 y) uid=0 anon-rss=2.0MiB oom_score_adj=-17 "
                                        "global trigger=Web Content order=0");
        events_done(&ev);
}

/* dump_stack() output of another task (a WARN on another CPU) must not provide the
 * trigger pid. */
static void test_cpu_line_of_other_task(void **state) {
        Events ev = {};

        parse_text("[ 1.000000] stress invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n"
                   "[ 1.000001] CPU: 2 PID: 99 Comm: stressor Not tainted 6.1.0 #1\n"
                   "[ 1.000002] CPU: 1 PID: 4242 Comm: stress Not tainted 6.1.0 #1\n"
                   "[ 1.000003] CPU: 1 PID: 4243 Comm: stress Not tainted 6.1.0 #1\n"
                   "[ 1.000004] Out of memory: Killed process 4243 (stress) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:1kB oom_score_adj:0\n",
                   &ev);
        assert_int_equal(ev.n, 1);
        assert_i64(ev.items[0]->trigger_pid, 4242);
        events_done(&ev);
}

static const char report_a[] =
        "[  100.000000] stress invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0\n"
        "[  100.000001] CPU: 1 PID: 4242 Comm: stress Not tainted 6.1.0 #1\n"
        "[  100.000002] Mem-Info:\n"
        "[  100.000003] active_anon:1 inactive_anon:2 isolated_anon:0\n"
        "[  100.000003]  free:1111 free_pcp:0 free_cma:0\n"
        "[  100.000004] Tasks state (memory values in pages):\n"
        "[  100.000005] [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name\n"
        "[  100.000006] [   4242]     0  4242     1000      500    65536        0             0 stress\n"
        "[  100.000007] [   4243]     0  4243   300000   200000  1638400        0             0 stress\n"
        "[  100.000008] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/user.slice,task=stress,pid=4243,uid=0\n"
        "[  100.000009] Out of memory: Killed process 4243 (stress) total-vm:1200000kB, anon-rss:800000kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:1600kB oom_score_adj:0\n";

#define REPORT_B_HEAD \
        "[  100.500000] gzip invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=2, oom_score_adj=0\n" \
        "[  100.500001] CPU: 0 PID: 5000 Comm: gzip Not tainted 6.1.0 #1\n" \
        "[  100.500002] Mem-Info:\n"
#define REPORT_B_TAIL \
        "[  100.500003] active_anon:1 inactive_anon:2 isolated_anon:0\n" \
        "[  100.500003]  free:2222 free_pcp:0 free_cma:0\n" \
        "[  100.500004] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/db.service,task=mysqld,pid=900,uid=27\n" \
        "[  100.500005] Out of memory: Killed process 900 (mysqld) total-vm:4000000kB, anon-rss:3000000kB, file-rss:0kB, shmem-rss:0kB, UID:27 pgtables:6000kB oom_score_adj:0\n"

static const char report_b[] = REPORT_B_HEAD REPORT_B_TAIL;

static void test_back_to_back_reaper_late(void **state) {
        _cleanup_free_ char *text = NULL;
        Events ev = {};

        /* A's reaper line shows up only inside B's report, B's after unrelated lines. */
        assert_true(asprintf(&text, "%s"
                             REPORT_B_HEAD
                             "[  100.500002] oom_reaper: reaped process 4243 (stress), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB\n"
                             REPORT_B_TAIL
                             "[  100.600000] e1000e: eno1 NIC Link is Down\n"
                             "[  100.700000] oom_reaper: reaped process 900 (mysqld), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB\n",
                             report_a) > 0);
        parse_text(text, &ev);
        assert_int_equal(ev.n, 2);
        assert_string_equal(ev.items[0]->timestamp, "100.000000");
        assert_i64(ev.items[0]->victim_pid, 4243);
        assert_true(ev.items[0]->reaped);
        assert_i64(ev.items[0]->free_pages, 1111);
        assert_int_equal(ev.items[0]->n_tasks, 2);
        assert_string_equal(ev.items[0]->task_memcg, "/user.slice");
        assert_string_equal(ev.items[1]->timestamp, "100.500000");
        assert_string_equal(ev.items[1]->trigger_comm, "gzip");
        assert_i64(ev.items[1]->order, 2);
        assert_i64(ev.items[1]->victim_pid, 900);
        assert_i64(ev.items[1]->victim_uid, 27);
        assert_true(ev.items[1]->reaped);
        assert_i64(ev.items[1]->free_pages, 2222);
        assert_false(ev.items[1]->has_task_table);
        assert_string_equal(ev.items[1]->task_memcg, "/system.slice/db.service");
        events_done(&ev);
}

/* Kills pop only once their reaper line is in, or after the window, or on flush. */
static void test_hold_back_for_reaper(void **state) {
        _cleanup_oom_report_parser_free_ OomReportParser *p = NULL;
        _cleanup_free_ char *copy = NULL;
        OomEvent *e = NULL;
        char *line, *next;

        assert_int_equal(oom_report_parser_new(&p), 0);
        copy = strdup(report_a);
        assert_non_null(copy);
        for (line = copy; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                assert_int_equal(oom_report_parser_feed_line(p, line), 0);
        }
        assert_int_equal(oom_report_parser_pop(p, &e), 0);
        assert_null(e);
        assert_int_equal(oom_report_parser_feed_line(p, "[  100.1] oom_reaper: reaped process 4243 (stress), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB"), 0);
        assert_int_equal(oom_report_parser_pop(p, &e), 1);
        assert_true(e->reaped);
        e = oom_event_free(e);

        /* no reaper: released after the window */
        assert_int_equal(oom_report_parser_feed_line(p, "[  101.0] Out of memory: Killed process 5 (a) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:1kB oom_score_adj:0"), 0);
        for (unsigned i = 0; i + 1 < OOM_REPORT_REAPER_WINDOW; i++) {
                assert_int_equal(oom_report_parser_feed_line(p, "[  101.1] eth0: link up"), 0);
                assert_int_equal(oom_report_parser_pop(p, &e), 0);
        }
        assert_int_equal(oom_report_parser_feed_line(p, "[  101.1] eth0: link up"), 0);
        assert_int_equal(oom_report_parser_pop(p, &e), 1);
        assert_i64(e->victim_pid, 5);
        assert_false(e->reaped);
        e = oom_event_free(e);

        /* flush releases at once, but leaves a report without kill line open */
        assert_int_equal(oom_report_parser_feed_line(p, "[  102.0] Out of memory: Killed process 6 (b) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:1kB oom_score_adj:0"), 0);
        assert_int_equal(oom_report_parser_feed_line(p, "[  103.0] c invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0"), 0);
        assert_int_equal(oom_report_parser_pop(p, &e), 0);
        oom_report_parser_flush(p);
        assert_int_equal(oom_report_parser_pop(p, &e), 1);
        assert_i64(e->victim_pid, 6);
        e = oom_event_free(e);
        assert_int_equal(oom_report_parser_pop(p, &e), 0);
        assert_int_equal(oom_report_parser_feed_line(p, "[  103.1] Out of memory: Killed process 7 (d) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:1kB oom_score_adj:0"), 0);
        assert_int_equal(oom_report_parser_feed_line(p, "[  103.2] oom_reaper: reaped process 7 (d), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB"), 0);
        assert_int_equal(oom_report_parser_pop(p, &e), 1);
        assert_string_equal(e->trigger_comm, "c");
        assert_i64(e->victim_pid, 7);
        assert_true(e->reaped);
        e = oom_event_free(e);

        /* the parser stays usable after finish() */
        assert_int_equal(oom_report_parser_finish(p), 0);
        assert_int_equal(oom_report_parser_pop(p, &e), 0);
        assert_int_equal(oom_report_parser_feed_line(p, "Killed process 8 (e) total-vm:1kB, anon-rss:1kB, file-rss:0kB"), 0);
        assert_int_equal(oom_report_parser_finish(p), 0);
        assert_int_equal(oom_report_parser_pop(p, &e), 1);
        assert_i64(e->victim_pid, 8);
        assert_null(e->timestamp);
        e = oom_event_free(e);
}

/* A later reaped event must not overtake an earlier one that is still held. */
static void test_pop_order(void **state) {
        Events ev = {};
        _cleanup_oom_report_parser_free_ OomReportParser *p = NULL;
        OomEvent *e = NULL;

        assert_int_equal(oom_report_parser_new(&p), 0);
        assert_int_equal(oom_report_parser_feed_line(p, "Out of memory: Killed process 1 (a) total-vm:1kB, anon-rss:1kB, file-rss:0kB"), 0);
        assert_int_equal(oom_report_parser_feed_line(p, "Out of memory: Killed process 2 (b) total-vm:1kB, anon-rss:1kB, file-rss:0kB"), 0);
        assert_int_equal(oom_report_parser_feed_line(p, "oom_reaper: reaped process 2 (b), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB"), 0);
        assert_int_equal(oom_report_parser_pop(p, &e), 0);
        assert_int_equal(oom_report_parser_feed_line(p, "oom_reaper: reaped process 1 (a), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB"), 0);
        drain(p, &ev);
        assert_int_equal(ev.n, 2);
        assert_i64(ev.items[0]->victim_pid, 1);
        assert_i64(ev.items[1]->victim_pid, 2);
        assert_true(ev.items[0]->reaped && ev.items[1]->reaped);
        events_done(&ev);
}

static void test_interleaved_syslog(void **state) {
        Events ev = {};

        parse_text("May 21 09:55:23 h kernel: stress invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n"
                   "May 21 09:55:23 h sshd[1]: Accepted publickey for root\n"
                   "May 21 09:55:23 h kernel: CPU: 1 PID: 4242 Comm: stress Not tainted 6.1.0 #1\n"
                   "May 21 09:55:23 h kernel: Tasks state (memory values in pages):\n"
                   "May 21 09:55:23 h kernel: [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name\n"
                   "May 21 09:55:23 h kernel: [   4242]     0  4242     1000      500    65536        0             0 stress\n"
                   "May 21 09:55:23 h CRON[99]: [   4243]     0  4243     1000      500    65536        0             0 fake\n"
                   "May 21 09:55:23 h kernel: IPv6: ADDRCONF(NETDEV_CHANGE): wlan0: link becomes ready\n"
                   "May 21 09:55:23 h app[7]: Out of memory: Killed process 1 (systemd) total-vm:1kB, anon-rss:1kB, file-rss:0kB\n"
                   "        continuation of app's multi-line message\n"
                   "        Out of memory: Killed process 2 (fake) total-vm:1kB, anon-rss:1kB, file-rss:0kB\n"
                   "May 21 09:55:23 h kernel: [   4244]  1000  4244     2000     1500    65536        0           500 victim proc\n"
                   "May 21 09:55:23 h kernel: oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=victim proc,pid=4244,uid=1000\n"
                   "May 21 09:55:23 h kernel: Out of memory: Killed process 4244 (victim proc) total-vm:8000kB, anon-rss:6000kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:64kB oom_score_adj:500\n",
                   &ev);
        assert_int_equal(ev.n, 1);
        assert_i64(ev.items[0]->trigger_pid, 4242);
        assert_int_equal(ev.items[0]->n_tasks, 2);
        assert_string_equal(ev.items[0]->tasks[1].name, "victim proc");
        assert_i64(ev.items[0]->tasks[1].oom_score_adj, 500);
        assert_string_equal(ev.items[0]->victim_comm, "victim proc");
        assert_string_equal(ev.items[0]->task_memcg, "/");
        events_done(&ev);
}

/* Some 4.19 stable kernels printed the second half of the summary as its own record. */
static void test_split_oom_kill_line(void **state) {
        Events ev = {};

        parse_text("[ 5.0] x invoked oom-killer: gfp_mask=0x6200ca(GFP_HIGHUSER_MOVABLE), nodemask=(null), order=0, oom_score_adj=0\n"
                   "[ 5.1] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0-1\n"
                   "[ 5.1] ,oom_memcg=/kubepods/burstable/pod1,task_memcg=/kubepods/burstable/pod1/abc,task=a,b,pid=  4711,uid=    0\n"
                   "[ 5.2] Memory cgroup out of memory: Kill process 4711 (a,b) score 1999 or sacrifice child\n"
                   "[ 5.3] Killed process 4711 (a,b) total-vm:9kB, anon-rss:8kB, file-rss:0kB, shmem-rss:0kB\n",
                   &ev);
        assert_int_equal(ev.n, 1);
        assert_string_equal(ev.items[0]->constraint, "CONSTRAINT_MEMCG");
        assert_int_equal(ev.items[0]->scope, OOM_SCOPE_MEMCG);
        assert_string_equal(ev.items[0]->task_memcg, "/kubepods/burstable/pod1/abc");
        assert_string_equal(ev.items[0]->victim_comm, "a,b");
        assert_i64(ev.items[0]->victim_pid, 4711);
        assert_i64(ev.items[0]->victim_uid, 0);
        assert_i64(ev.items[0]->score, 1999);
        events_done(&ev);
}

/* Before 5.1 the kernel could kill a child instead of the selected task. */
static void test_sacrificed_child(void **state) {
        Events ev = {};

        parse_text("[ 5.0] httpd invoked oom-killer: gfp_mask=0x6280ca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO), nodemask=(null), order=0, oom_score_adj=0\n"
                   "[ 5.1] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/httpd.service,task=httpd,pid=100,uid=0\n"
                   "[ 5.2] Out of memory: Kill process 100 (httpd) score 500 or sacrifice child\n"
                   "[ 5.3] Killed process 101 (httpd-worker) total-vm:9kB, anon-rss:8kB, file-rss:1kB, shmem-rss:0kB\n"
                   "[ 5.4] oom_reaper: reaped process 101 (httpd-worker), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB\n",
                   &ev);
        assert_int_equal(ev.n, 1);
        assert_i64(ev.items[0]->victim_pid, 101);
        assert_string_equal(ev.items[0]->victim_comm, "httpd-worker");
        assert_unset(ev.items[0]->victim_uid);
        assert_i64(ev.items[0]->score, 500);
        assert_true(ev.items[0]->reaped);
        events_done(&ev);
}

/* cgroup v2 memory.oom.group: further kills share the report's context, its task
 * table (counted, the rows stay with the first kill) and the group's cgroup. */
static void test_oom_group(void **state) {
        Events ev = {};
        json_object *o, *v;

        parse_text("[ 9.0] worker invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n"
                   "[ 9.1] memory: usage 102400kB, limit 102400kB, failcnt 4\n"
                   "[ 9.1] [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name\n"
                   "[ 9.1] [     10]     0    10        3        2    28672        0             0 worker\n"
                   "[ 9.1] [     11]     0    11        2        1    28672        0             0 helper\n"
                   "[ 9.2] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/job,task_memcg=/job/w1,task=worker,pid=10,uid=0\n"
                   "[ 9.3] Memory cgroup out of memory: Killed process 10 (worker) total-vm:9kB, anon-rss:8kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0\n"
                   "[ 9.3] Tasks in /job are going to be killed due to memory.oom.group set\n"
                   "[ 9.3] Memory cgroup out of memory: Killed process 11 (helper) total-vm:7kB, anon-rss:6kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0\n"
                   "[ 9.3] Memory cgroup out of memory: Killed process 12 (helper2) total-vm:5kB, anon-rss:4kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0\n"
                   "[ 9.4] oom_reaper: reaped process 11 (helper), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB\n",
                   &ev);
        assert_int_equal(ev.n, 3);
        for (size_t i = 0; i < 3; i++) {
                assert_string_equal(ev.items[i]->trigger_comm, "worker");
                assert_string_equal(ev.items[i]->constraint, "CONSTRAINT_MEMCG");
                assert_int_equal(ev.items[i]->scope, OOM_SCOPE_MEMCG);
                assert_i64(ev.items[i]->victim_pid, 10 + (int64_t) i);
        }
        assert_string_equal(ev.items[0]->task_memcg, "/job/w1");
        assert_string_equal(ev.items[1]->task_memcg, "/job");
        assert_string_equal(ev.items[2]->task_memcg, "/job");
        assert_string_equal(ev.items[1]->timestamp, "9.0");
        assert_int_equal(ev.items[0]->n_tasks, 2);
        for (size_t i = 0; i < 3; i++) {
                assert_true(ev.items[i]->has_task_table);
                assert_int_equal(ev.items[i]->task_rows, 2);
        }
        assert_int_equal(ev.items[1]->n_tasks, 0);
        assert_null(ev.items[1]->tasks);
        /* In JSON the further kill counts the rows but does not repeat them. */
        o = oom_event_to_json(ev.items[1], NULL, true);
        assert_non_null(o);
        assert_true(json_object_object_get_ex(o, "task_rows", &v));
        assert_int_equal(json_object_get_int64(v), 2);
        assert_true(json_object_object_get_ex(o, "tasks", &v));
        assert_null(v);
        json_object_put(o);
        assert_false(ev.items[0]->reaped);
        assert_true(ev.items[1]->reaped);
        events_done(&ev);
}

/* The kernel ratelimits the kill lines ("callbacks suppressed"), not the reaper's:
 * a reaper line for no kill seen names the victim of the report it falls in. */
static void test_kill_lines_ratelimited(void **state) {
        Events ev = {};

        parse_text("Apr 14 05:21:34 h kernel: C1 CompilerThre invoked oom-killer: gfp_mask=0x6000c0(GFP_KERNEL), nodemask=(null), order=0, oom_score_adj=-997\n"
                   "Apr 14 05:21:34 h kernel: Task in /k/c killed as a result of limit of /k\n"
                   "Apr 14 05:21:34 h kernel: [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name\n"
                   "Apr 14 05:21:34 h kernel: [ 585588]     0 585588   307156    26597  1196032        0          -997 java\n"
                   "Apr 14 05:21:34 h kernel: oom_kill_process: 1520 callbacks suppressed\n"
                   "Apr 14 05:21:34 h kernel: oom_reaper: reaped process 585588 (java), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB\n",
                   &ev);
        assert_int_equal(ev.n, 1);
        assert_true(ev.items[0]->has_kill);
        assert_string_equal(ev.items[0]->trigger_comm, "C1 CompilerThre");
        assert_i64(ev.items[0]->victim_pid, 585588);
        assert_string_equal(ev.items[0]->victim_comm, "java");
        assert_true(ev.items[0]->reaped);
        assert_string_equal(ev.items[0]->task_memcg, "/k/c");
        assert_int_equal(ev.items[0]->task_rows, 1);
        assert_unset(ev.items[0]->total_vm_kb);
        events_done(&ev);

        /* The reaper line of an earlier kill stays with it: the report it falls in
         * has not named its victim and is still kill-less. */
        parse_text("[ 1.0] a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n"
                   "[ 1.1] Out of memory: Killed process 5 (v) total-vm:9kB, anon-rss:8kB, file-rss:0kB, shmem-rss:0kB\n"
                   "[ 1.2] b invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n"
                   "[ 1.3] oom_reaper: reaped process 5 (v), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB\n",
                   &ev);
        assert_int_equal(ev.n, 2);
        assert_i64(ev.items[0]->victim_pid, 5);
        assert_true(ev.items[0]->reaped);
        assert_false(ev.items[1]->has_kill);
        assert_unset(ev.items[1]->victim_pid);
        events_done(&ev);

        /* Reaper lines alone (a fragment's first lines, or grep output) are the tail
         * of kills outside the excerpt, not kills. */
        parse_text("[ 1.3] oom_reaper: reaped process 5 (v), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB\n"
                   "[ 1.4] oom_reaper: reaped process 6 (w), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB\n",
                   &ev);
        assert_int_equal(ev.n, 0);
        events_done(&ev);
}

/* A report quoted with indentation (a commit message, an e-mail, a Markdown code
 * block): the indentation is not part of the trigger's comm. */
static void test_indented_excerpt(void **state) {
        Events ev = {};

        parse_text("\tkworker/u4:5 invoked oom-killer: gfp_mask=0x2400840(GFP_NOFS|__GFP_NOFAIL), nodemask=0, order=0, oom_score_adj=0\n"
                   "\tkworker/u4:5 cpuset=/ mems_allowed=0\n"
                   "\tCPU: 1 PID: 2603 Comm: kworker/u4:5 Not tainted 4.9.0-gentoo #2\n"
                   "\tCall Trace:\n",
                   &ev);
        assert_int_equal(ev.n, 1);
        assert_string_equal(ev.items[0]->trigger_comm, "kworker/u4:5");
        assert_i64(ev.items[0]->trigger_pid, 2603);
        events_done(&ev);

        parse_text("    [ 1.0] a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n"
                   "    [ 1.0] CPU: 0 PID: 9 Comm: a Not tainted 6.1.0 #1\n"
                   "    [ 1.1] Out of memory: Killed process 9 (a) total-vm:4kB, anon-rss:4kB, file-rss:0kB, shmem-rss:0kB\n",
                   &ev);
        assert_int_equal(ev.n, 1);
        assert_string_equal(ev.items[0]->timestamp, "1.0");
        assert_string_equal(ev.items[0]->trigger_comm, "a");
        assert_i64(ev.items[0]->trigger_pid, 9);
        assert_i64(ev.items[0]->victim_pid, 9);
        events_done(&ev);
}

/* "Out of memory and no killable processes" is a kill-less report wherever it
 * stands; the lines of another kind of report before it (a page allocation
 * failure) are not its beginning. */
static void test_no_killable_alone(void **state) {
        Events ev = {};

        parse_text("[ 273.8] ksoftirqd/0: page allocation failure: order:0, mode:0x40a20(GFP_ATOMIC|__GFP_COMP), nodemask=(null),cpuset=/,mems_allowed=0\n"
                   "[ 273.8] CPU: 0 PID: 12 Comm: ksoftirqd/0 Not tainted 5.18.7 #74\n"
                   "[ 273.9]  warn_alloc+0x114/0x1a0\n"
                   "\n"
                   "[ 311.1] Out of memory and no killable processes...\n"
                   "[ 311.1] Kernel panic - not syncing: System is deadlocked on memory\n",
                   &ev);
        assert_int_equal(ev.n, 1);
        assert_false(ev.items[0]->has_kill);
        assert_true(ev.items[0]->no_killable);
        assert_string_equal(ev.items[0]->timestamp, "311.1");
        assert_unset(ev.items[0]->trigger_pid);
        events_done(&ev);

        /* After a complete report. */
        parse_text("[ 1.0] a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n"
                   "[ 1.1] Out of memory: Killed process 9 (a) total-vm:4kB, anon-rss:4kB, file-rss:0kB, shmem-rss:0kB\n"
                   "[ 2.0] Out of memory and no killable processes...\n",
                   &ev);
        assert_int_equal(ev.n, 2);
        assert_i64(ev.items[0]->victim_pid, 9);
        assert_false(ev.items[1]->has_kill);
        assert_true(ev.items[1]->no_killable);
        assert_string_equal(ev.items[1]->timestamp, "2.0");
        events_done(&ev);

        /* A report in progress is not cut by another CPU's page allocation failure. */
        parse_text("[ 1.0] a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n"
                   "[ 1.0] b: page allocation failure: order:0, mode:0x40a20(GFP_ATOMIC|__GFP_COMP)\n"
                   "[ 1.1] Out of memory: Killed process 9 (a) total-vm:4kB, anon-rss:4kB, file-rss:0kB, shmem-rss:0kB\n",
                   &ev);
        assert_int_equal(ev.n, 1);
        assert_string_equal(ev.items[0]->trigger_comm, "a");
        assert_i64(ev.items[0]->victim_pid, 9);
        events_done(&ev);
}

static void test_old_kernel_formats(void **state) {
        Events ev = {};

        parse_text(/* 2.6.32 (RHEL 6) */
                   "java invoked oom-killer: gfp_mask=0x201da, order=0, oom_adj=0, oom_score_adj=0\n"
                   "java cpuset=/ mems_allowed=0\n"
                   "Pid: 2603, comm: java Not tainted 2.6.32-754.35.1.el6.x86_64 #1\n"
                   "Mem-Info:\n"
                   "Node 0 DMA per-cpu:\n"
                   "CPU    0: hi:    0, btch:   1 usd:   0\n"
                   "active_anon:1 inactive_anon:2 isolated_anon:0\n"
                   " active_file:3 inactive_file:4 isolated_file:0\n"
                   " unevictable:0 dirty:0 writeback:0 unstable:0\n"
                   " free:3333 slab_reclaimable:5 slab_unreclaimable:6\n"
                   " mapped:7 shmem:8 pagetables:9 bounce:0\n"
                   "Node 0 DMA free:15732kB min:60kB low:72kB high:88kB\n"
                   "Free swap  = 1234kB\n"
                   "Total swap = 2097148kB\n"
                   "1048575 pages RAM\n"
                   "34458 pages reserved\n"
                   "Out of memory: Kill process 2603 (java) score 932 or sacrifice child\n"
                   "Killed process 2603, UID 501, (java) total-vm:5000000kB, anon-rss:3000000kB, file-rss:120kB\n"
                   /* sysrq-f */
                   "kworker/0:1 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), nodemask=0-1,3, order=-1, oom_score_adj=0\n"
                   "Out of memory (oom_kill_allocating_task): Killed process 3000 (sleep) total-vm:100kB, anon-rss:10kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:40kB oom_score_adj:-1\n"
                   /* 2.6.2x */
                   "Out of memory: Killed process 1234 (httpd).\n",
                   &ev);
        assert_int_equal(ev.n, 3);

        assert_string_equal(ev.items[0]->gfp_mask, "0x201da");
        assert_i64(ev.items[0]->trigger_oom_score_adj, 0);
        assert_i64(ev.items[0]->trigger_pid, 2603);
        assert_i64(ev.items[0]->free_pages, 3333);
        assert_i64(ev.items[0]->free_swap_kb, 1234);
        assert_i64(ev.items[0]->total_ram_pages, 1048575);
        assert_i64(ev.items[0]->reserved_pages, 34458);
        assert_i64(ev.items[0]->victim_pid, 2603);
        assert_i64(ev.items[0]->victim_uid, 501);
        assert_string_equal(ev.items[0]->victim_comm, "java");
        assert_i64(ev.items[0]->file_rss_kb, 120);
        assert_unset(ev.items[0]->shmem_rss_kb);
        assert_i64(ev.items[0]->score, 932);

        assert_i64(ev.items[1]->order, -1);
        assert_string_equal(ev.items[1]->gfp_mask, "0xcc0(GFP_KERNEL)");
        assert_i64(ev.items[1]->victim_oom_score_adj, -1);
        assert_int_equal(ev.items[1]->scope, OOM_SCOPE_GLOBAL);

        assert_i64(ev.items[2]->victim_pid, 1234);
        assert_string_equal(ev.items[2]->victim_comm, "httpd");
        assert_unset(ev.items[2]->total_vm_kb);
        assert_null(ev.items[2]->trigger_comm);
        events_done(&ev);
}

/* Up to 2.6.18 the trigger line named no task ("oom-killer: gfp_mask=..., order=N")
 * and the kill went "Kill process N (comm) score S and children." with a Killed line
 * whose prefix tells the constraint; a trimmed excerpt may keep only
 * "COMM invoked oom-killer" of the trigger line. */
static void test_pre_2_6_19_trigger_lines(void **state) {
        Events ev = {};

        parse_text("Nov 28 16:19:52 ic4 kernel: Out of Memory: Kill process 679783 (ncks) score 0 and children.\n"
                   "Nov 28 16:19:52 ic4 kernel: No available memory in cpuset: Killed process 679783 (ncks).\n"
                   "Nov 28 16:27:58 ic4 kernel: oom-killer: gfp_mask=0x200d2, order=0\n"
                   "oom-killer: gfp_mask=0xd0, order=1\n"
                   "Mem-info:\n"
                   "Out of Memory: Kill process 274 (udev) score 7 and children.\n"
                   "Out of memory: Killed process 274 (udev).\n"
                   "[  395.922444] mem_on_node0 invoked oom-killer\n"
                   "[  396.264068] Out of memory: Killed process 2614 (mem_on_node0)\n",
                   &ev);
        assert_int_equal(ev.n, 4);

        assert_i64(ev.items[0]->victim_pid, 679783);
        assert_i64(ev.items[0]->score, 0);

        /* A report of its own although nothing follows the trigger line. */
        assert_false(ev.items[1]->has_kill);
        assert_string_equal(ev.items[1]->timestamp, "Nov 28 16:27:58");
        assert_null(ev.items[1]->trigger_comm);
        assert_string_equal(ev.items[1]->gfp_mask, "0x200d2");
        assert_i64(ev.items[1]->order, 0);

        assert_null(ev.items[2]->trigger_comm);
        assert_string_equal(ev.items[2]->gfp_mask, "0xd0");
        assert_i64(ev.items[2]->order, 1);
        assert_i64(ev.items[2]->victim_pid, 274);
        assert_i64(ev.items[2]->score, 7);

        assert_string_equal(ev.items[3]->trigger_comm, "mem_on_node0");
        assert_null(ev.items[3]->gfp_mask);
        assert_unset(ev.items[3]->order);
        assert_string_equal(ev.items[3]->timestamp, "395.922444");
        assert_i64(ev.items[3]->victim_pid, 2614);
        events_done(&ev);
}

/* A fragment that ends "no killable processes" was a report, without a kill: also
 * one that starts inside the task table (rows without their header). */
static void test_no_killable_fragments(void **state) {
        Events ev = {};

        parse_text("[ 5623.879547] [ 2474]     0  2474     2589      121   1     -17         -1000 daemonsu\n"
                   "[ 5623.879852] [17008]     0 17008   176527   117823   1     -17         -1000 osmcore_L\n"
                   "[ 5623.884216] Kernel panic - not syncing: Out of memory and no killable processes...\n"
                   "[ 5623.884399] Backtrace: \n",
                   &ev);
        assert_int_equal(ev.n, 1);
        assert_false(ev.items[0]->has_kill);
        assert_string_equal(ev.items[0]->timestamp, "5623.879547");
        assert_true(ev.items[0]->has_task_table);
        assert_int_equal(ev.items[0]->n_tasks, 2);
        assert_i64(find_row(ev.items[0], 17008)->rss, 117823);
        assert_i64(find_row(ev.items[0], 17008)->oom_score_adj, -1000);
        assert_string_equal(find_row(ev.items[0], 17008)->name, "osmcore_L");
        events_done(&ev);

        /* journal lines copied with only their tag: a tail, then a report of its own */
        parse_text("kernel:  </TASK>\n"
                   "kernel: Out of memory and no killable processes...\n"
                   "kernel: systemd invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=100\n"
                   "kernel: CPU: 10 UID: 1000 PID: 20957 Comm: systemd Not tainted 6.17.3 #1\n",
                   &ev);
        assert_int_equal(ev.n, 2);
        assert_false(ev.items[0]->has_kill);
        assert_null(ev.items[0]->trigger_comm);
        assert_false(ev.items[1]->has_kill);
        assert_string_equal(ev.items[1]->trigger_comm, "systemd");
        assert_i64(ev.items[1]->trigger_pid, 20957);
        events_done(&ev);

        /* without the panic line a fragment that killed nothing is no report */
        parse_text("[ 5623.879547] [ 2474]     0  2474     2589      121   1     -17         -1000 daemonsu\n", &ev);
        assert_int_equal(ev.n, 0);
        events_done(&ev);
}

/* uids above INT32_MAX come out negative where the kernel prints them with %d. */
static void test_large_uid(void **state) {
        Events ev = {};

        parse_text("a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n"
                   "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name\n"
                   "[     10] -1294967296    10     1000      500    65536        0             0 a\n"
                   "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=a,pid=10,uid=-1294967296\n",
                   &ev);
        assert_int_equal(ev.n, 1);
        assert_i64(ev.items[0]->victim_uid, 3000000000LL);
        assert_i64(ev.items[0]->tasks[0].uid, 3000000000LL);
        events_done(&ev);
}

static void test_json(void **state) {
        static const char *const keys[] = {
                "timestamp", "trigger_comm", "trigger_pid", "gfp_mask", "order", "trigger_oom_score_adj",
                "constraint", "scope", "task_memcg", "victim_pid", "victim_comm", "victim_uid", "total_vm_kb",
                "anon_rss_kb", "file_rss_kb", "shmem_rss_kb", "pgtables_kb", "victim_oom_score_adj", "score",
                "reaped", "task_rows", "time", "kernel_time", "kill", "no_killable", "trigger_oom_adj", "boot_id",
                "source", "rule",
        };
        static const char *const row_keys[] = {
                "pid", "uid", "tgid", "total_vm", "rss", "rss_anon", "rss_file", "rss_shmem", "pgtables_bytes",
                "nr_ptes", "swapents", "oom_score_adj", "name",
        };
        Events ev = {};
        json_object *o, *v, *tasks, *row;

        parse_text(report_a, &ev);
        parse_text("Out of memory: Killed process 5 (x) total-vm:1kB, anon-rss:1kB, file-rss:0kB", &ev);
        assert_int_equal(ev.n, 2);

        o = oom_event_to_json(ev.items[0], NULL, false);
        assert_non_null(o);
        assert_int_equal(json_object_object_length(o), ELEMENTSOF(keys));
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                assert_true(json_object_object_get_ex(o, keys[i], NULL));
        assert_true(json_object_object_get_ex(o, "victim_pid", &v));
        assert_int_equal(json_object_get_int64(v), 4243);
        assert_true(json_object_object_get_ex(o, "scope", &v));
        assert_string_equal(json_object_get_string(v), "global");
        assert_true(json_object_object_get_ex(o, "reaped", &v));
        assert_true(json_object_is_type(v, json_type_boolean));
        assert_true(json_object_object_get_ex(o, "task_rows", &v));
        assert_int_equal(json_object_get_int64(v), 2);
        assert_true(json_object_object_get_ex(o, "score", &v));
        assert_null(v);
        json_object_put(o);

        o = oom_event_to_json(ev.items[0], NULL, true);
        assert_non_null(o);
        assert_int_equal(json_object_object_length(o), ELEMENTSOF(keys) + 1);
        assert_true(json_object_object_get_ex(o, "tasks", &tasks));
        assert_int_equal(json_object_array_length(tasks), 2);
        row = json_object_array_get_idx(tasks, 1);
        assert_int_equal(json_object_object_length(row), ELEMENTSOF(row_keys));
        for (size_t i = 0; i < ELEMENTSOF(row_keys); i++)
                assert_true(json_object_object_get_ex(row, row_keys[i], NULL));
        assert_true(json_object_object_get_ex(row, "pgtables_bytes", &v));
        assert_int_equal(json_object_get_int64(v), 1638400);
        assert_true(json_object_object_get_ex(row, "nr_ptes", &v));
        assert_null(v);
        assert_true(json_object_object_get_ex(row, "name", &v));
        assert_string_equal(json_object_get_string(v), "stress");
        json_object_put(o);

        /* a bare kill line: no table, nothing from the header */
        o = oom_event_to_json(ev.items[1], NULL, true);
        assert_non_null(o);
        assert_true(json_object_object_get_ex(o, "task_rows", &v));
        assert_null(v);
        assert_true(json_object_object_get_ex(o, "tasks", &v));
        assert_null(v);
        assert_true(json_object_object_get_ex(o, "trigger_comm", &v));
        assert_null(v);
        assert_true(json_object_object_get_ex(o, "timestamp", &v));
        assert_null(v);
        json_object_put(o);
        assert_format_line(ev.items[1], "[-] killed 5 (x) uid=- anon-rss=0.0MiB oom_score_adj=- global trigger=- order=-");
        events_done(&ev);
}

/* Every prefix of every line of a report, and odd lengths, parse without harm. */
static void test_line_lengths(void **state) {
        static const char *const lines[] = {
                "[  100.000000] stress invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0",
                "May 21 09:55:23 host kernel: CPU: 1 UID: 0 PID: 4242 Comm: stress Not tainted 6.1.0 #1",
                "6,1,2,-;active_anon:1 inactive_anon:2 isolated_anon:0\\x0a free:1111 free_pcp:0 free_cma:0",
                "2024-05-21T09:55:23.123456+00:00 h kernel: [  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name",
                "[Sun Aug 11 20:21:28 2024] [   4243]     0  4243   300000   200000   199000     1000        0  1638400        0             0 stress",
                "[  100.000008] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/user.slice,task=stress,pid=4243,uid=0",
                "[  100.000009] Out of memory: Killed process 4243 (stress) total-vm:1200000kB, anon-rss:800000kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:1600kB oom_score_adj:0",
                "Out of memory: Kill process 4243 (stress) score 950 or sacrifice child",
                "Killed process 4243, UID 0, (stress) total-vm:1kB",
                "oom_reaper: reaped process 4243 (stress), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
                "kern  :warn  : [ 12.500000] Free swap  = 99kB",
        };
        _cleanup_oom_report_parser_free_ OomReportParser *p = NULL;
        _cleanup_free_ char *huge = NULL;
        Events ev = {};
        size_t huge_len = 4 * 1024 * 1024;

        assert_int_equal(oom_report_parser_new(&p), 0);
        for (size_t i = 0; i < ELEMENTSOF(lines); i++)
                for (size_t len = 0; len <= strlen(lines[i]); len++) {
                        _cleanup_free_ char *s = strndup(lines[i], len);

                        assert_non_null(s);
                        assert_int_equal(oom_report_parser_feed_line(p, s), 0);
                        drain(p, &ev);
                }
        assert_int_equal(oom_report_parser_finish(p), 0);
        drain(p, &ev);
        for (size_t i = 0; i < ev.n; i++) {
                json_object *o = oom_event_to_json(ev.items[i], NULL, true);
                _cleanup_free_ char *s = oom_event_format_line(ev.items[i], NULL);

                assert_non_null(o);
                assert_non_null(s);
                json_object_put(o);
        }
        events_done(&ev);

        /* a multi-megabyte line, in a few shapes */
        huge = malloc(huge_len + 1);
        assert_non_null(huge);
        memset(huge, 'x', huge_len);
        huge[huge_len] = '\0';
        assert_int_equal(oom_report_parser_feed_line(p, huge), 0);
        memcpy(huge, "Out of memory: Killed process 1 (", 33);
        assert_int_equal(oom_report_parser_feed_line(p, huge), 0);
        memcpy(huge + huge_len - 12, ") total-vm:1", 12);
        assert_int_equal(oom_report_parser_feed_line(p, huge), 0);
        memset(huge, '9', huge_len);
        assert_int_equal(oom_report_parser_feed_line(p, huge), 0);
        memcpy(huge, "[  100.000001] [ 1]", 19);
        assert_int_equal(oom_report_parser_feed_line(p, huge), 0);
        assert_int_equal(oom_report_parser_finish(p), 0);
        drain(p, &ev);
        /* only the line with a comm closed by ") total-vm:" is a kill line; its comm is too long */
        assert_int_equal(ev.n, 0);

        /* numbers that overflow are absent, not wrapped */
        parse_text("Out of memory: Killed process 99999999999999999999 (x) total-vm:1kB\n"
                   "Out of memory: Killed process 7 (x) total-vm:99999999999999999999kB, anon-rss:-5kB, file-rss:1kB\n",
                   &ev);
        assert_int_equal(ev.n, 1);
        assert_i64(ev.items[0]->victim_pid, 7);
        assert_unset(ev.items[0]->total_vm_kb);
        assert_i64(ev.items[0]->anon_rss_kb, -5);
        assert_i64(ev.items[0]->file_rss_kb, 1);
        events_done(&ev);
}

/* Deterministic garbage, and garbage spliced into real report lines. */
static void test_garbage(void **state) {
        _cleanup_oom_report_parser_free_ OomReportParser *p = NULL;
        static const char alphabet[] = "[]()<>,;:=.- 0123456789\t\\x#0aAZkBOomtaskpid\xff\xc3";
        uint32_t seed = 12345;
        Events ev = {};
        char buf[512];

        assert_int_equal(oom_report_parser_new(&p), 0);
        for (unsigned i = 0; i < 20000; i++) {
                size_t len;

                seed = seed * 1103515245u + 12345u;
                len = (seed >> 16) % (sizeof(buf) - 1);
                if (i % 3 == 0) {
                        const char *base = i % 2 ? report_a : report_b;
                        size_t off = (seed >> 8) % (strlen(base) - 1);

                        len = MIN(len, strlen(base) - off);
                        memcpy(buf, base + off, len);
                } else
                        for (size_t j = 0; j < len; j++) {
                                seed = seed * 1103515245u + 12345u;
                                buf[j] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
                        }
                buf[len] = '\0';
                assert_int_equal(oom_report_parser_feed_line(p, buf), 0);
                drain(p, &ev);
                if (i % 1000 == 0) {
                        assert_int_equal(oom_report_parser_finish(p), 0);
                        drain(p, &ev);
                }
        }
        assert_int_equal(oom_report_parser_finish(p), 0);
        drain(p, &ev);
        for (size_t i = 0; i < ev.n; i++) {
                json_object *o = oom_event_to_json(ev.items[i], NULL, true);
                _cleanup_free_ char *s = oom_event_format_line(ev.items[i], NULL);

                assert_non_null(o);
                assert_non_null(s);
                json_object_put(o);
        }
        events_done(&ev);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_klog_line),
                cmocka_unit_test(test_fixture_rhel7_dmesg),
                cmocka_unit_test(test_fixture_rhel7_memcg_messages),
                cmocka_unit_test(test_fixture_414_dmesg_T),
                cmocka_unit_test(test_fixture_419_journal),
                cmocka_unit_test(test_fixture_510_kmsg),
                cmocka_unit_test(test_fixture_61_dmesg),
                cmocka_unit_test(test_fixture_61_memcg),
                cmocka_unit_test(test_fixture_612_syslog),
                cmocka_unit_test(test_fixture_truncated),
                cmocka_unit_test(test_fixture_non_oom),
                cmocka_unit_test(test_fixtures_concatenated),
                cmocka_unit_test(test_comm_edge_cases),
                cmocka_unit_test(test_cpu_line_of_other_task),
                cmocka_unit_test(test_back_to_back_reaper_late),
                cmocka_unit_test(test_hold_back_for_reaper),
                cmocka_unit_test(test_pop_order),
                cmocka_unit_test(test_interleaved_syslog),
                cmocka_unit_test(test_split_oom_kill_line),
                cmocka_unit_test(test_sacrificed_child),
                cmocka_unit_test(test_oom_group),
                cmocka_unit_test(test_kill_lines_ratelimited),
                cmocka_unit_test(test_indented_excerpt),
                cmocka_unit_test(test_no_killable_alone),
                cmocka_unit_test(test_old_kernel_formats),
                cmocka_unit_test(test_pre_2_6_19_trigger_lines),
                cmocka_unit_test(test_no_killable_fragments),
                cmocka_unit_test(test_large_uid),
                cmocka_unit_test(test_json),
                cmocka_unit_test(test_line_lengths),
                cmocka_unit_test(test_garbage),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
