/* SPDX-License-Identifier: MIT */
/* Line renderings beyond dmesg, syslog and the journal: printk caller ids and
 * Android logcat (the classic renderings are tested in test-oom-report.c). */
#include "test-util.h"
#include "report/klog-line.h"

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

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_printk_caller),
                cmocka_unit_test(test_logcat),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
