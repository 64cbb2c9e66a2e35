/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "shared/macro.h"

/* Splits one line of some kernel-log rendering into its timestamp and the kernel
 * message text. Recognised renderings:
 *
 *   [ 1234.567890] msg                          dmesg, journalctl -o short-monotonic
 *   [  +0.000123] msg, [Aug11 20:21] msg        dmesg --time-format=reltime
 *   [ 1234.567890 <    0.000123>] msg           dmesg -d
 *   [Sun Aug 11 20:21:28 2024] msg              dmesg -T (any locale)
 *   2024-08-11T20:21:28,123456+02:00 msg        dmesg --time-format=iso
 *   <4>[ 1234.567890] msg                       dmesg -r, /proc/kmsg
 *   kern  :warn  : [ 1234.567890] msg          dmesg -x
 *   May 21 09:55:23 host kernel: msg            syslog, journalctl (short, short-precise)
 *   May 21 09:55:23 host kernel: [ 12.3] msg    syslog of a kernel with printk.time=1
 *   2024-05-21T09:55:23.123+00:00 host kernel:  RFC 3339 syslog, journalctl -o short-iso
 *   Tue 2024-05-21 09:55:23 UTC host kernel:    journalctl -o short-full
 *   1716278123.123456 host kernel: msg          journalctl -o short-unix
 *   6,1234,5678901,-;msg                        /dev/kmsg
 *   [ 1234.567890][ T4321] msg                  any of the above with printk caller ids
 *   01-02 03:04:05.678     0     0 I TAG     : msg   Android logcat threadtime
 *   01-02 03:04:05.678 I/TAG(    0): msg         Android logcat time
 *   msg                                         anything else: bare kernel text
 */

typedef enum KlogSource {
        KLOG_SOURCE_KERNEL,     /* text holds a kernel message */
        KLOG_SOURCE_OTHER,      /* a line logged by something other than the kernel */
        KLOG_SOURCE_NONE,       /* blank line or journalctl "-- ... --" marker */
} KlogSource;

typedef enum KlogFormat {
        KLOG_FORMAT_BARE,
        KLOG_FORMAT_DMESG,
        KLOG_FORMAT_SYSLOG,
        KLOG_FORMAT_KMSG,
        KLOG_FORMAT_LOGCAT,
} KlogFormat;

typedef struct KlogLine {
        KlogSource source;
        KlogFormat format;
        /* A bare line that starts with a blank: the second and later lines of a
         * multi-line record as dmesg and journalctl print them, a /dev/kmsg
         * dictionary line, or a line of an excerpt indented as a whole. Only the
         * previous line tells which, so the caller decides. (An indented line with a
         * dmesg stamp after the blanks is not one: it is parsed as unindented.) */
        bool continuation;
        char *timestamp;        /* as printed, without brackets; NULL if none */
        /* The same as numbers, where the rendering says: µs since boot from a dmesg
         * or /dev/kmsg stamp, µs since the epoch from an RFC 3339 date (with its
         * zone) or journalctl's Unix seconds. UINT64_MAX if unknown. */
        uint64_t kernel_usec;
        uint64_t realtime_usec;
        /* The message; multi-line records escaped by the rendering (/dev/kmsg "\x0a",
         * rsyslog "#012") come back with real '\n' separators. NULL unless
         * source is KLOG_SOURCE_KERNEL. */
        char *text;
} KlogLine;

/* Never fails on malformed input (that is just bare text); returns 0 or -ENOMEM.
 * Trailing CR/LF are ignored. */
int klog_line_parse(const char *line, KlogLine *ret);
void klog_line_done(KlogLine *l);
