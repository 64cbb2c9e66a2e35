/* SPDX-License-Identifier: MIT */
/* Line renderings beyond dmesg, syslog and the journal: printk caller ids and
 * Android logcat (the classic renderings are tested in test-oom-report.c). */
#include "test-util.h"
#include "report/klog-line.h"
#include "report/oom-report.h"

static void check_line(const char *line, KlogSource source, KlogFormat format, const char *ts, const char *text) {
        _cleanup_(klog_line_done) KlogLine l = {};

        assert_int_equal(klog_line_parse(line, &l), 0);
        if (l.source != source)
                fail_msg("\"%s\": source %d, expected %d", line, l.source, source);
        if (source == KLOG_SOURCE_KERNEL && l.format != format)
                fail_msg("\"%s\": format %d, expected %d", line, l.format, format);
        if (ts) {
                if (!l.timestamp)
                        fail_msg("\"%s\": no timestamp, expected \"%s\"", line, ts);
                assert_string_equal(l.timestamp, ts);
        } else if (l.timestamp)
                fail_msg("\"%s\": unexpected timestamp \"%s\"", line, l.timestamp);
        if (text) {
                if (!l.text)
                        fail_msg("\"%s\": no text, expected \"%s\"", line, text);
                assert_string_equal(l.text, text);
        } else
                assert_null(l.text);
}

static void test_printk_caller(void **state) {
        const KlogSource K = KLOG_SOURCE_KERNEL;

        check_line("[ 1234.567890][ T4321] a invoked oom-killer: gfp_mask=0xcc0", K, KLOG_FORMAT_DMESG, "1234.567890",
                   "a invoked oom-killer: gfp_mask=0xcc0");
        check_line("[   12.345678][    C1] Out of memory: Killed process 7 (x)", K, KLOG_FORMAT_DMESG, "12.345678",
                   "Out of memory: Killed process 7 (x)");
        check_line("[   12.345678][ T1]  [  1234]     0 row", K, KLOG_FORMAT_DMESG, "12.345678", " [  1234]     0 row");
        check_line("May 21 09:55:23 host kernel: [ 12.300000][ T99] msg", K, KLOG_FORMAT_SYSLOG, "May 21 09:55:23", "msg");
        check_line("<4>[ 12.500000][  T321] msg", K, KLOG_FORMAT_DMESG, "12.500000", "msg");
        /* Not a caller id: kept as text. */
        check_line("[ 12.500000] [drm] msg", K, KLOG_FORMAT_DMESG, "12.500000", "[drm] msg");
        check_line("[ 12.500000][X12] msg", K, KLOG_FORMAT_DMESG, "12.500000", "[X12] msg");
}

/* An excerpt indented as a whole (e-mail quoting, a Markdown code block): a stamped
 * line behind the indentation is a line of its own; other indented lines continue
 * the record before them. */
static void test_indented_excerpt(void **state) {
        const KlogSource K = KLOG_SOURCE_KERNEL;
        _cleanup_(klog_line_done) KlogLine l = {};

        check_line("        [ 2259.825958] msgctl11 invoked oom-killer: gfp_mask=0x84d0", K, KLOG_FORMAT_DMESG,
                   "2259.825958", "msgctl11 invoked oom-killer: gfp_mask=0x84d0");
        check_line("\t[  +0.002367] CPU: 0 PID: 34 Comm: kworker/0:1", K, KLOG_FORMAT_DMESG, "+0.002367",
                   "CPU: 0 PID: 34 Comm: kworker/0:1");
        assert_int_equal(klog_line_parse("\t[  +0.002367] x", &l), 0);
        assert_false(l.continuation);
        klog_line_done(&l);
        assert_int_equal(klog_line_parse("         active_file:462 inactive_file:603", &l), 0);
        assert_true(l.continuation);
        klog_line_done(&l);
        /* A symbolic 2.6 stack entry is not a stamp. */
        assert_int_equal(klog_line_parse(" [<c011e49c>] dump_stack+0x0/0x1c", &l), 0);
        assert_true(l.continuation);
}

static void test_logcat(void **state) {
        const KlogSource K = KLOG_SOURCE_KERNEL;

        /* threadtime, the kernel's stamp in the message */
        check_line("01-02 03:04:05.678     0     0 I         : [ 5623.859741] osmcore_L invoked oom-killer: gfp_mask=0x200da",
                   K, KLOG_FORMAT_LOGCAT, "5623.859741", "osmcore_L invoked oom-killer: gfp_mask=0x200da");
        /* logd took "Out of memory" for the tag: put back */
        check_line("01-02 03:04:05.678     0     0 E Out of memory: Killed process 4243 (stress) total-vm:10kB",
                   K, KLOG_FORMAT_LOGCAT, "01-02 03:04:05.678", "Out of memory: Killed process 4243 (stress) total-vm:10kB");
        check_line("01-02 03:04:05.678   123   456 W oom_reaper: reaped process 4243 (stress), now anon-rss:0kB",
                   K, KLOG_FORMAT_LOGCAT, "01-02 03:04:05.678", "oom_reaper: reaped process 4243 (stress), now anon-rss:0kB");
        check_line("01-02 03:04:05.678     0     0 I kernel  : [  123.000001][ T12] msg", K, KLOG_FORMAT_LOGCAT,
                   "123.000001", "msg");
        check_line("2024-01-02 03:04:05.678 +0100     0     0 I kernel  : plain", K, KLOG_FORMAT_LOGCAT,
                   "2024-01-02 03:04:05.678 +0100", "plain");
        check_line("01-02 03:04:05.678     0     0 I         : [  1234]     0  1234 row", K, KLOG_FORMAT_LOGCAT,
                   "01-02 03:04:05.678", "[  1234]     0  1234 row");
        /* time */
        check_line("01-02 03:04:05.678 W/kernel  (    0): [ 99.500000] msg", K, KLOG_FORMAT_LOGCAT, "99.500000", "msg");
        check_line("01-02 03:04:05.678 I/oom_reaper(    0): reaped process 7 (x)", K, KLOG_FORMAT_LOGCAT,
                   "01-02 03:04:05.678", "oom_reaper: reaped process 7 (x)");
        /* near misses stay what they were */
        check_line("01-02 03:04:05 no fraction", K, KLOG_FORMAT_BARE, NULL, "01-02 03:04:05 no fraction");
        check_line("2024-05-21 09:55:23.123 host kernel: msg", K, KLOG_FORMAT_BARE, NULL,
                   "2024-05-21 09:55:23.123 host kernel: msg");
}

static void check_times(const char *line, uint64_t kernel_usec, uint64_t realtime_usec) {
        _cleanup_(klog_line_done) KlogLine l = {};

        assert_int_equal(klog_line_parse(line, &l), 0);
        if (l.kernel_usec != kernel_usec || l.realtime_usec != realtime_usec)
                fail_msg("\"%s\": kernel %llu realtime %llu, expected %llu %llu", line,
                         (unsigned long long) l.kernel_usec, (unsigned long long) l.realtime_usec,
                         (unsigned long long) kernel_usec, (unsigned long long) realtime_usec);
}

static void test_times(void **state) {
        const uint64_t U = UINT64_MAX;

        check_times("[ 1234.567890] msg", 1234567890, U);
        check_times("[   12.5][ T1] msg", 12500000, U);
        check_times("6,1234,5678901,-;msg", 5678901, U);
        check_times("[Sun Aug 11 20:21:28 2024] msg", U, U);
        check_times("[  +0.000123] msg", U, U);
        check_times("May 21 09:55:23 host kernel: [ 12.300000] msg", 12300000, U);
        check_times("May 21 09:55:23 host kernel: msg", U, U);
        /* 2024-05-21T09:55:23Z is 1716285323 */
        check_times("2024-05-21T09:55:23.250000+00:00 host kernel: msg", U, 1716285323250000);
        check_times("2024-05-21T11:55:23+0200 host kernel: msg", U, 1716285323000000);
        check_times("2024-05-21T09:55:23Z host kernel: msg", U, 1716285323000000);
        check_times("2024-05-21T04:55:23,5-05:00 msg", U, 1716285323500000);
        check_times("1716285323.123456 host kernel: msg", U, 1716285323123456);
        check_times("01-02 03:04:05.678     0     0 I kernel  : [  123.000001] msg", 123000001, U);
        check_times("just text", U, U);
}

/* A report's time is its first message's: from the line's rendering, or as given
 * with a message from the journal. */
static void test_event_times(void **state) {
        _cleanup_oom_report_parser_free_ OomReportParser *p = NULL;
        OomMessageTime t = { .realtime_usec = 1716285323000000, .kernel_usec = 4000000 };
        OomEvent *e = NULL;

        assert_int_equal(oom_report_parser_new(&p), 0);
        assert_int_equal(oom_report_parser_feed_line(p, "[    3.000000] x invoked oom-killer: gfp_mask=0xcc0, order=0"), 0);
        assert_int_equal(oom_report_parser_feed_line(p, "[    3.500000] Out of memory: Killed process 7 (x) total-vm:1kB"), 0);
        assert_int_equal(oom_report_parser_feed_message(p, "y invoked oom-killer: gfp_mask=0xcc0, order=0\n"
                                                           "second line", "4.000000", &t), 0);
        t.kernel_usec = 4100000;
        assert_int_equal(oom_report_parser_feed_message(p, "Out of memory: Killed process 8 (y) total-vm:1kB",
                                                        "4.100000", &t), 0);
        assert_int_equal(oom_report_parser_finish(p), 0);

        assert_int_equal(oom_report_parser_pop(p, &e), 1);
        assert_int_equal(e->time.kernel_usec, 3000000);
        assert_true(e->time.realtime_usec == OOM_TIME_UNSET);
        assert_int_equal(e->victim_pid, 7);
        e = oom_event_free(e);
        assert_int_equal(oom_report_parser_pop(p, &e), 1);
        assert_int_equal(e->time.kernel_usec, 4000000);
        assert_true(e->time.realtime_usec == 1716285323000000);
        assert_string_equal(e->timestamp, "4.000000");
        assert_int_equal(e->victim_pid, 8);
        e = oom_event_free(e);
        assert_int_equal(oom_report_parser_pop(p, &e), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_printk_caller),
                cmocka_unit_test(test_indented_excerpt),
                cmocka_unit_test(test_logcat),
                cmocka_unit_test(test_times),
                cmocka_unit_test(test_event_times),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
