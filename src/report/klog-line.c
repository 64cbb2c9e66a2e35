/* SPDX-License-Identifier: MIT */
#include "report/klog-line.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shared/string-util.h"

/* The kernel's syslog facility is 0, so a /dev/kmsg or "<N>" priority above 7
 * was written into the kernel ring buffer by a user-space program. */
#define LOG_FACILITY_SHIFT 3

typedef enum TextDecoding {
        DECODE_NONE,
        DECODE_KMSG,            /* "\xNN" escapes */
        DECODE_SYSLOG,          /* rsyslog's "#012" for embedded newlines */
} TextDecoding;

static int hex_value(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Returns the end of a run of min..max digits at p, or NULL. */
static const char *skip_digits(const char *p, size_t min, size_t max) {
        size_t n = 0;

        while (n < max && ascii_isdigit(p[n]))
                n++;
        if (n < min || ascii_isdigit(p[n]))
                return NULL;
        return p + n;
}

/* Returns the end of a run of min..max non-blank characters at p, or NULL. */
static const char *skip_word(const char *p, size_t min, size_t max) {
        size_t n = 0;

        while (n < max && p[n] != '\0' && !ascii_isblank(p[n]))
                n++;
        if (n < min || (p[n] != '\0' && !ascii_isblank(p[n])))
                return NULL;
        return p + n;
}

/* "hh:mm:ss" (parts = 3) or "hh:mm" (parts = 2) */
static const char *skip_clock_parts(const char *p, unsigned parts) {
        for (unsigned i = 0; i < parts; i++) {
                if (i > 0) {
                        if (*p != ':')
                                return NULL;
                        p++;
                }
                p = skip_digits(p, 2, 2);
                if (!p)
                        return NULL;
        }
        return p;
}

static const char *skip_clock(const char *p) {
        return skip_clock_parts(p, 3);
}

/* Optional ".123456" (or ",123456" where the rendering uses a comma). */
static const char *skip_fraction(const char *p, bool *comma) {
        const char *e;

        if (*p != '.' && *p != ',')
                return p;
        e = skip_digits(p + 1, 1, 12);
        if (!e)
                return p;
        if (comma)
                *comma = *p == ',';
        return e;
}

/* "[ 1234.567890]" as dmesg prints the monotonic timestamp ("[  +0.000123]" with
 * --time-format=reltime, "[ 1234.567890 <    0.000123>]" with -d), or "[Sun Aug
 * 11 20:21:28 2024]" from dmesg -T ("[Aug11 20:21]" with reltime). Those are
 * localised ("[月  1月 26 01:49:41 2026]"), so they are recognised by the clock
 * rather than by names. */
static const char *match_bracket_stamp(const char *p, const char **ts, size_t *ts_len) {
        const char *q, *e, *close;

        if (*p != '[')
                return NULL;
        q = p + 1;
        while (*q == ' ')
                q++;
        e = skip_digits(*q == '+' ? q + 1 : q, 1, 20);
        if (e && *e == '.') {
                const char *stamp_end = skip_digits(e + 1, 1, 12);

                if (!stamp_end)
                        return NULL;
                e = stamp_end;
                if (e[0] == ' ' && e[1] == '<') {
                        const char *gt = strchr(e, '>');

                        if (!gt || gt - e > 32)
                                return NULL;
                        e = gt + 1;
                }
                if (*e != ']')
                        return NULL;
                *ts = q;
                *ts_len = (size_t) (stamp_end - q);
                return e + 1;
        }

        for (close = p + 1; *close != '\0' && *close != ']' && close - p < 64; close++)
                ;
        if (*close != ']')
                return NULL;
        for (q = p + 1; q + 5 <= close; q++)
                if (skip_clock_parts(q, 2)) {
                        q = p + 1;
                        while (q < close && ascii_isblank(*q))
                                q++;
                        e = close;
                        while (e > q && ascii_isblank(e[-1]))
                                e--;
                        *ts = q;
                        *ts_len = (size_t) (e - q);
                        return close + 1;
                }
        return NULL;
}

/* "1234.567890" (exactly that span) in µs. */
static uint64_t seconds_to_usec(const char *s, size_t len) {
        uint64_t sec = 0, usec = 0, scale = 100000;
        size_t i = 0;

        for (; i < len && ascii_isdigit(s[i]); i++) {
                if (sec > (UINT64_MAX / 1000000 - 9) / 10)
                        return UINT64_MAX;
                sec = sec * 10 + (uint64_t) (s[i] - '0');
        }
        if (i == 0 || i == len || s[i] != '.' || i + 1 == len)
                return UINT64_MAX;
        for (i++; i < len; i++) {
                if (!ascii_isdigit(s[i]))
                        return UINT64_MAX;
                usec += (uint64_t) (s[i] - '0') * scale;
                scale /= 10;
        }
        return sec * 1000000 + usec;
}

/* "2024-05-21T09:55:23[.123456](Z|+02:00|+0200|+02)" (also with a comma before the
 * fraction, as dmesg --time-format=iso prints it) in µs since the epoch. */
static uint64_t rfc3339_to_usec(const char *s, size_t len) {
        _cleanup_free_ char *copy = strndup(s, len);
        struct tm tm = {};
        uint64_t usec = 0, scale = 100000;
        long offset = 0;
        const char *q;
        time_t t;

        if (!copy)
                return UINT64_MAX;
        q = strptime(copy, "%Y-%m-%dT%H:%M:%S", &tm);
        if (!q)
                return UINT64_MAX;
        if (*q == '.' || *q == ',')
                for (q++; ascii_isdigit(*q); q++) {
                        usec += (uint64_t) (*q - '0') * scale;
                        scale /= 10;
                }
        if (*q == '+' || *q == '-') {
                int sign = *q == '-' ? -1 : 1;
                const char *z = q + 1;
                long hh, mm = 0;

                if (!ascii_isdigit(z[0]) || !ascii_isdigit(z[1]))
                        return UINT64_MAX;
                hh = (z[0] - '0') * 10 + (z[1] - '0');
                z += 2;
                if (*z == ':')
                        z++;
                if (ascii_isdigit(z[0]) && ascii_isdigit(z[1])) {
                        mm = (z[0] - '0') * 10 + (z[1] - '0');
                        z += 2;
                }
                offset = sign * (hh * 3600 + mm * 60);
                q = z;
        } else if (*q == 'Z')
                q++;
        else
                return UINT64_MAX;   /* no zone: local time of an unknown machine */
        if (*q != '\0')
                return UINT64_MAX;
        t = timegm(&tm);
        if (t == (time_t) -1 || t - offset < 0)
                return UINT64_MAX;
        return (uint64_t) (t - offset) * 1000000 + usec;
}

/* "[ T4321]" or "[    C1]" right after the timestamp: the printk caller id of
 * kernels built with CONFIG_PRINTK_CALLER (Android, syzkaller): the task or CPU
 * that logged the line. */
static const char *skip_caller_id(const char *p) {
        const char *q, *e;

        if (*p != '[')
                return p;
        q = p + 1;
        while (*q == ' ')
                q++;
        if (*q != 'T' && *q != 'C')
                return p;
        e = skip_digits(q + 1, 1, 10);
        return e && *e == ']' ? e + 1 : p;
}

/* "<N>" as printed by dmesg -r and /proc/kmsg. */
static const char *match_priority(const char *p, unsigned *prio) {
        const char *e;

        if (*p != '<')
                return NULL;
        e = skip_digits(p + 1, 1, 4);
        if (!e || *e != '>')
                return NULL;
        *prio = (unsigned) strtoul(p + 1, NULL, 10);
        return e + 1;
}

/* dmesg -x: "kern  :warn  : " */
static const char *match_decode_prefix(const char *p, bool *kernel) {
        static const char *const facilities[] = {
                "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
                "authpriv", "ftp", "res0", "res1", "res2", "res3",
                "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
        };
        static const char *const levels[] = {
                "emerg", "alert", "crit", "err", "warn", "notice", "info", "debug",
        };
        const char *names[2] = {};
        size_t lens[2] = {};
        bool found;

        for (unsigned i = 0; i < 2; i++) {
                names[i] = p;
                while ((*p >= 'a' && *p <= 'z') || ascii_isdigit(*p))
                        p++;
                lens[i] = (size_t) (p - names[i]);
                while (*p == ' ')
                        p++;
                if (lens[i] == 0 || *p != ':')
                        return NULL;
                p++;
        }
        if (*p != ' ')
                return NULL;

        found = false;
        for (size_t i = 0; i < ELEMENTSOF(facilities) && !found; i++)
                found = strlen(facilities[i]) == lens[0] && strncmp(names[0], facilities[i], lens[0]) == 0;
        if (!found)
                return NULL;
        found = false;
        for (size_t i = 0; i < ELEMENTSOF(levels) && !found; i++)
                found = strlen(levels[i]) == lens[1] && strncmp(names[1], levels[i], lens[1]) == 0;
        if (!found)
                return NULL;

        *kernel = lens[0] == 4 && strncmp(names[0], "kern", 4) == 0;
        return p + 1;
}

/* Syslog-style date at the start of a line. Returns the end of the date, with
 * *dmesg_iso set for dmesg --time-format=iso (comma before the fraction), which
 * has no host and tag after it. */
static const char *match_syslog_date(const char *p, bool *dmesg_iso) {
        const char *e;
        bool comma = false;

        *dmesg_iso = false;

        /* RFC 3339: 2024-05-21T09:55:23.123456+00:00, journalctl -o short-iso */
        e = skip_digits(p, 4, 4);
        if (e && e[0] == '-' && (e = skip_digits(e + 1, 2, 2)) && e[0] == '-' &&
            (e = skip_digits(e + 1, 2, 2)) && e[0] == 'T' && (e = skip_clock(e + 1))) {
                e = skip_fraction(e, &comma);
                if (*e == 'Z')
                        e++;
                else if (*e == '+' || *e == '-') {
                        /* "+01:00", "+0100" or "+01" */
                        const char *z = skip_digits(e + 1, 2, 4);

                        if (z && z - e == 3 && *z == ':')
                                z = skip_digits(z + 1, 2, 2);
                        if (!z)
                                return NULL;
                        e = z;
                }
                if (*e != ' ')
                        return NULL;
                *dmesg_iso = comma;
                return e;
        }

        /* journalctl -o short-unix: 1716278123.123456 */
        e = skip_digits(p, 9, 12);
        if (e && *e == '.') {
                e = skip_digits(e + 1, 1, 9);
                return e && *e == ' ' ? e : NULL;
        }

        /* journalctl -o short-full: Tue 2024-05-21 09:55:23 UTC */
        e = skip_word(p, 1, 16);
        if (e && *e == ' ') {
                const char *d = skip_digits(e + 1, 4, 4);

                if (d && d[0] == '-' && (d = skip_digits(d + 1, 2, 2)) && d[0] == '-' &&
                    (d = skip_digits(d + 1, 2, 2)) && d[0] == ' ' && (d = skip_clock(d + 1))) {
                        d = skip_fraction(d, NULL);
                        if (*d != ' ')
                                return NULL;
                        d = skip_word(d + 1, 1, 32);
                        if (!d || *d != ' ')
                                return NULL;
                        return d;
                }
        }

        /* RFC 3164: "May 21 09:55:23", "May  1 09:55:23.123456" (month names localised) */
        if (!e)
                return NULL;
        while (*e == ' ')
                e++;
        e = skip_digits(e, 1, 2);
        if (!e || *e != ' ')
                return NULL;
        e = skip_clock(e + 1);
        if (!e)
                return NULL;
        e = skip_fraction(e, NULL);
        if (*e != ' ')
                return NULL;
        return e;
}

/* "host tag[pid]: " after a syslog date. Returns the start of the message, or
 * NULL if the line does not have that shape. */
static const char *match_host_tag(const char *p, bool *kernel, bool *has_pid) {
        const char *host = p, *tag, *e;

        *has_pid = false;

        while (*p != '\0' && !ascii_isblank(*p) && *p != ':' && *p != '[')
                p++;
        if (p == host || p - host > 255)
                return NULL;
        /* Some setups log without a host name. */
        if (p - host == 6 && strncmp(host, "kernel", 6) == 0 && p[0] == ':' && (p[1] == ' ' || p[1] == '\0')) {
                *kernel = true;
                return p[1] == ' ' ? p + 2 : p + 1;
        }
        if (*p != ' ')
                return NULL;
        tag = ++p;
        while (*p != '\0' && !ascii_isblank(*p) && *p != ':' && *p != '[')
                p++;
        if (p == tag || p - tag > 128)
                return NULL;
        e = p;
        if (*p == '[') {
                const char *q = skip_digits(p + 1, 1, 10);

                if (!q || *q != ']')
                        return NULL;
                p = q + 1;
                *has_pid = true;
        }
        if (*p != ':' || (p[1] != ' ' && p[1] != '\0'))
                return NULL;

        *kernel = !*has_pid && e - tag == 6 && strncmp(tag, "kernel", 6) == 0;
        return p[1] == ' ' ? p + 2 : p + 1;
}

static char *decode_text(const char *s, TextDecoding decoding) {
        char *buf, *d;

        buf = malloc(strlen(s) + 1);
        if (!buf)
                return NULL;
        d = buf;
        while (*s != '\0') {
                if (decoding == DECODE_KMSG && s[0] == '\\' && s[1] == 'x') {
                        int hi = hex_value(s[2]), lo = hi >= 0 ? hex_value(s[3]) : -1;

                        /* "\x00" cannot be represented in a C string; keep it literally. */
                        if (hi >= 0 && lo >= 0 && (hi | lo) != 0) {
                                *d++ = (char) (hi << 4 | lo);
                                s += 4;
                                continue;
                        }
                } else if (decoding == DECODE_SYSLOG && strncmp(s, "#012", 4) == 0) {
                        *d++ = '\n';
                        s += 4;
                        continue;
                }
                *d++ = *s++;
        }
        *d = '\0';
        return buf;
}

static int set_kernel(KlogLine *ret, KlogFormat format, const char *ts, size_t ts_len,
                      const char *text, TextDecoding decoding) {
        _cleanup_free_ char *t = NULL, *x = NULL;

        if (ts) {
                t = strndup(ts, ts_len);
                if (!t)
                        return -ENOMEM;
        }
        x = decode_text(text, decoding);
        if (!x)
                return -ENOMEM;

        ret->source = KLOG_SOURCE_KERNEL;
        ret->format = format;
        ret->timestamp = TAKE_PTR(t);
        ret->text = TAKE_PTR(x);
        return 0;
}

static void set_other(KlogLine *ret, KlogFormat format) {
        ret->source = KLOG_SOURCE_OTHER;
        ret->format = format;
}

/* /dev/kmsg: "prio,seq,usec,flags[,more];text" */
static int parse_kmsg(const char *p, KlogLine *ret) {
        const char *prio_end, *seq_end, *usec_end, *q;
        unsigned long long usec;
        unsigned long prio;
        char ts[64];

        prio_end = skip_digits(p, 1, 6);
        if (!prio_end || *prio_end != ',')
                return 0;
        seq_end = skip_digits(prio_end + 1, 1, 20);
        if (!seq_end || *seq_end != ',')
                return 0;
        usec_end = skip_digits(seq_end + 1, 1, 19);
        if (!usec_end || *usec_end != ',')
                return 0;
        q = usec_end + 1;
        if (*q != '-' && *q != 'c' && *q != '+')
                return 0;
        q++;
        if (*q == ',')
                while (*q != '\0' && *q != ';' && !ascii_isblank(*q))
                        q++;
        if (*q != ';')
                return 0;

        prio = strtoul(p, NULL, 10);
        if ((prio >> LOG_FACILITY_SHIFT) != 0) {
                set_other(ret, KLOG_FORMAT_KMSG);
                return 1;
        }
        usec = strtoull(seq_end + 1, NULL, 10);
        (void) snprintf(ts, sizeof(ts), "%llu.%06llu", usec / 1000000ULL, usec % 1000000ULL);

        if (set_kernel(ret, KLOG_FORMAT_KMSG, ts, strlen(ts), q + 1, DECODE_KMSG) < 0)
                return -ENOMEM;
        ret->kernel_usec = usec;
        return 1;
}

/* Android logcat, "threadtime" ("MM-DD HH:MM:SS.mmm  PID  TID L TAG     : msg",
 * also with a year or "-v UTC"-style zone) and "time" ("MM-DD HH:MM:SS.mmm
 * L/TAG(  PID): msg"), as in `logcat -b kernel` and bug reports. logd cuts a
 * kernel message's "subsystem: " prefix off into the tag, so "TAG: msg" is put
 * back together unless the tag is empty or "kernel". The kernel's own stamp,
 * when the message starts with one, is the line's timestamp. */
static int parse_logcat(const char *p, KlogLine *ret) {
        _cleanup_free_ char *joined = NULL;
        const char *date = p, *e, *tag, *tag_end, *msg, *ts;
        size_t date_len, ts_len;

        e = skip_digits(p, 4, 4);
        if (e && *e == '-')
                p = e + 1;
        e = skip_digits(p, 2, 2);
        if (!e || *e != '-' || !(e = skip_digits(e + 1, 2, 2)) || *e != ' ' || !(e = skip_clock(e + 1)) ||
            *e != '.' || !(e = skip_digits(e + 1, 3, 9)))
                return 0;
        if (*e == ' ' && (e[1] == '+' || e[1] == '-') && skip_digits(e + 2, 4, 4))
                e += 6;   /* "-v zone": " +0000" */
        if (*e != ' ')
                return 0;
        date_len = (size_t) (e - date);
        e = skip_blanks(e);

        if (*e != '\0' && strchr("VDIWEFAS", *e) && e[1] == '/') {
                /* time: "I/TAG(  PID): msg" */
                tag = e + 2;
                tag_end = strchr(tag, '(');
                if (!tag_end)
                        return 0;
                e = skip_digits(skip_blanks(tag_end + 1), 1, 10);
                if (!e || e[0] != ')' || e[1] != ':')
                        return 0;
                msg = e[2] == ' ' ? e + 3 : e + 2;
        } else {
                /* threadtime: "  PID  TID L TAG: msg" */
                e = skip_digits(e, 1, 10);
                if (!e || *e != ' ')
                        return 0;
                e = skip_digits(skip_blanks(e), 1, 10);
                if (!e || *e != ' ')
                        return 0;
                e = skip_blanks(e);
                if (*e == '\0' || !strchr("VDIWEFAS", *e) || e[1] != ' ')
                        return 0;
                tag = e + 2;
                msg = strstr(tag, ": ");
                if (!msg) {
                        msg = endswith(tag, ":") ? tag + strlen(tag) : NULL;
                        if (!msg)
                                return 0;
                        tag_end = msg - 1;
                } else {
                        tag_end = msg;
                        msg += 2;
                }
        }
        while (tag_end > tag && ascii_isblank(tag_end[-1]))
                tag_end--;
        if (tag_end > tag && !((size_t) (tag_end - tag) == 6 && strncmp(tag, "kernel", 6) == 0)) {
                if (asprintf(&joined, "%.*s: %s", (int) (tag_end - tag), tag, msg) < 0)
                        return -ENOMEM;
                msg = joined;
        }

        e = match_bracket_stamp(msg, &ts, &ts_len);
        if (e && ts_len > 0 && ascii_isdigit(ts[0])) {
                e = skip_caller_id(e);
                msg = *e == ' ' ? e + 1 : e;
        } else {
                ts = date;
                ts_len = date_len;
        }
        if (set_kernel(ret, KLOG_FORMAT_LOGCAT, ts, ts_len, msg, DECODE_NONE) < 0)
                return -ENOMEM;
        if (ts != date)
                ret->kernel_usec = seconds_to_usec(ts, ts_len);
        return 1;
}

/* After a dmesg bracket stamp: journalctl -o short-monotonic adds "host kernel: ". */
static const char *skip_monotonic_host_tag(const char *p, bool *other) {
        bool kernel = false, has_pid = false;
        const char *msg;

        *other = false;
        msg = match_host_tag(p, &kernel, &has_pid);
        if (!msg)
                return p;
        if (kernel)
                return msg;
        /* dmesg shows what user space wrote to /dev/kmsg as a bare "tag[pid]:", which
         * match_host_tag() rejects; "host tag[pid]:" is journalctl's rendering of
         * another program's message. Anything else is kernel text that merely looks
         * like "word word:". */
        *other = has_pid;
        return p;
}

int klog_line_parse(const char *line, KlogLine *ret) {
        _cleanup_free_ char *buf = NULL;
        const char *p, *e, *ts = NULL;
        size_t len, ts_len = 0;
        unsigned prio;
        bool kernel = true, dmesg_iso, has_pid, other;
        int r;

        *ret = (KlogLine) { .source = KLOG_SOURCE_NONE, .format = KLOG_FORMAT_BARE,
                            .kernel_usec = UINT64_MAX, .realtime_usec = UINT64_MAX };

        len = strlen(line);
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
                len--;
        buf = strndup(line, len);
        if (!buf)
                return -ENOMEM;
        p = buf;

        if (*p == '\0')
                return 0;
        if (ascii_isblank(*p)) {
                const char *q = skip_blanks(p);

                /* An excerpt indented as a whole (quoted in an e-mail, a Markdown code
                 * block): a stamped dmesg line behind the indentation is a line of its
                 * own. The kernel's continuation lines never begin with a stamp. */
                if (!match_bracket_stamp(q, &ts, &ts_len)) {
                        ret->continuation = true;
                        return set_kernel(ret, KLOG_FORMAT_BARE, NULL, 0, p, DECODE_NONE);
                }
                ts = NULL;
                ts_len = 0;
                p = q;
        }
        if (len >= 6 && strncmp(p, "-- ", 3) == 0 && strcmp(p + len - 3, " --") == 0)
                return 0;

        r = parse_kmsg(p, ret);
        if (r != 0)
                return r < 0 ? r : 0;
        r = parse_logcat(p, ret);
        if (r != 0)
                return r < 0 ? r : 0;

        e = match_priority(p, &prio);
        if (e) {
                if ((prio >> LOG_FACILITY_SHIFT) != 0)
                        kernel = false;
                p = e;
        } else {
                e = match_decode_prefix(p, &kernel);
                if (e)
                        p = e;
        }

        e = match_bracket_stamp(p, &ts, &ts_len);
        if (e) {
                e = skip_caller_id(e);
                if (*e == ' ')
                        e++;
                e = skip_monotonic_host_tag(e, &other);
                if (!kernel || other) {
                        set_other(ret, KLOG_FORMAT_DMESG);
                        return 0;
                }
                r = set_kernel(ret, KLOG_FORMAT_DMESG, ts, ts_len, e, DECODE_NONE);
                if (r >= 0)
                        ret->kernel_usec = seconds_to_usec(ts, ts_len);
                return r;
        }
        if (!kernel) {
                set_other(ret, KLOG_FORMAT_DMESG);
                return 0;
        }
        if (p != buf)
                /* A priority or facility prefix without a timestamp (printk.time=0). */
                return set_kernel(ret, KLOG_FORMAT_DMESG, NULL, 0, p, DECODE_NONE);

        e = match_syslog_date(p, &dmesg_iso);
        if (e) {
                const char *msg, *s;

                if (dmesg_iso) {
                        r = set_kernel(ret, KLOG_FORMAT_DMESG, p, (size_t) (e - p), e + 1, DECODE_NONE);
                        if (r >= 0)
                                ret->realtime_usec = rfc3339_to_usec(p, (size_t) (e - p));
                        return r;
                }

                msg = match_host_tag(e + 1, &kernel, &has_pid);
                if (!msg || !kernel) {
                        set_other(ret, KLOG_FORMAT_SYSLOG);
                        return 0;
                }
                /* A kernel booted with printk.time=1 repeats its own stamp in the message. */
                s = match_bracket_stamp(msg, &ts, &ts_len);
                if (s && ts_len > 0 && ascii_isdigit(ts[0])) {
                        s = skip_caller_id(s);
                        msg = *s == ' ' ? s + 1 : s;
                } else
                        ts = NULL;
                r = set_kernel(ret, KLOG_FORMAT_SYSLOG, p, (size_t) (e - p), msg, DECODE_SYSLOG);
                if (r < 0)
                        return r;
                if (ts)
                        ret->kernel_usec = seconds_to_usec(ts, ts_len);
                /* journalctl -o short-unix, or an RFC 3339 date with its zone */
                ret->realtime_usec = ascii_isdigit(p[0]) && p[4] != '-' ? seconds_to_usec(p, (size_t) (e - p))
                                                                        : rfc3339_to_usec(p, (size_t) (e - p));
                return 0;
        }

        /* Journal or syslog lines copied without their date and host keep the tag. */
        e = startswith(p, "kernel: ");
        return set_kernel(ret, KLOG_FORMAT_BARE, NULL, 0, e ?: p, DECODE_NONE);
}

void klog_line_done(KlogLine *l) {
        if (!l)
                return;
        free(l->timestamp);
        free(l->text);
        l->timestamp = l->text = NULL;
}
