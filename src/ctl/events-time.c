/* SPDX-License-Identifier: MIT */
#include "ctl/events-time.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/oom-event.h"
#include "shared/macro.h"
#include "shared/string-util.h"

#define USEC_PER_SEC UINT64_C(1000000)
/* 9999-12-31 23:59:59 UTC: beyond it the four-digit year of RFC 3339 ends. */
#define TIME_MAX_SEC INT64_C(253402300799)

static int tm_to_usec(struct tm *tm, uint64_t *ret) {
        time_t t;

        tm->tm_isdst = -1;
        errno = 0;
        t = mktime(tm);
        if (t == (time_t) -1 && errno != 0)
                return -ERANGE;
        if (t < 0 || (int64_t) t > TIME_MAX_SEC)
                return -ERANGE;
        *ret = (uint64_t) t * USEC_PER_SEC;
        return 0;
}

/* Midnight of the day now falls on, shifted by days. */
static int midnight(uint64_t now, int days, uint64_t *ret) {
        time_t t = (time_t) (now / USEC_PER_SEC);
        struct tm tm;

        if (!localtime_r(&t, &tm))
                return -ERANGE;
        tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
        tm.tm_mday += days;
        return tm_to_usec(&tm, ret);
}

static const struct {
        const char *name;
        uint64_t usec;
} units[] = {
        /* Longer names first: "min" before "m", "ms" before "m" and "s". */
        { "usec", 1 },
        { "us", 1 },
        { "msec", 1000 },
        { "ms", 1000 },
        { "seconds", USEC_PER_SEC },
        { "second", USEC_PER_SEC },
        { "sec", USEC_PER_SEC },
        { "s", USEC_PER_SEC },
        { "minutes", 60 * USEC_PER_SEC },
        { "minute", 60 * USEC_PER_SEC },
        { "min", 60 * USEC_PER_SEC },
        { "months", 2629800 * USEC_PER_SEC },
        { "month", 2629800 * USEC_PER_SEC },
        { "m", 60 * USEC_PER_SEC },
        { "hours", 3600 * USEC_PER_SEC },
        { "hour", 3600 * USEC_PER_SEC },
        { "hr", 3600 * USEC_PER_SEC },
        { "h", 3600 * USEC_PER_SEC },
        { "days", 86400 * USEC_PER_SEC },
        { "day", 86400 * USEC_PER_SEC },
        { "d", 86400 * USEC_PER_SEC },
        { "weeks", 604800 * USEC_PER_SEC },
        { "week", 604800 * USEC_PER_SEC },
        { "w", 604800 * USEC_PER_SEC },
        { "years", 31557600 * USEC_PER_SEC },
        { "year", 31557600 * USEC_PER_SEC },
        { "y", 31557600 * USEC_PER_SEC },
};

/* "1h30min", "2 d": a sum of numbers with units, each number without a unit
 * meaning seconds. */
static int parse_span(const char *s, uint64_t *ret) {
        uint64_t sum = 0;
        bool any = false;

        while (*s) {
                uint64_t n = 0, unit = USEC_PER_SEC;
                const char *start;

                s += strspn(s, " ");
                if (!*s)
                        break;
                start = s;
                while (ascii_isdigit(*s)) {
                        if (n > (UINT64_MAX - 9) / 10)
                                return -ERANGE;
                        n = n * 10 + (uint64_t) (*s - '0');
                        s++;
                }
                if (s == start)
                        return -EINVAL;
                s += strspn(s, " ");
                if (*s && !ascii_isdigit(*s)) {
                        size_t i;

                        for (i = 0; i < ELEMENTSOF(units); i++) {
                                size_t len = strlen(units[i].name);

                                if (strncmp(s, units[i].name, len) == 0 &&
                                    (s[len] == '\0' || s[len] == ' ' || ascii_isdigit(s[len])))
                                        break;
                        }
                        if (i >= ELEMENTSOF(units))
                                return -EINVAL;
                        unit = units[i].usec;
                        s += strlen(units[i].name);
                }
                if (n > UINT64_MAX / unit || sum > UINT64_MAX - n * unit)
                        return -ERANGE;
                sum += n * unit;
                any = true;
        }
        if (!any)
                return -EINVAL;
        *ret = sum;
        return 0;
}

static bool all_digits(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!ascii_isdigit(s[i]))
                        return false;
        return true;
}

/* "YYYY-MM-DD", "YYYY-MM-DD HH:MM", "YYYY-MM-DD HH:MM:SS", local time. */
static int parse_date(const char *s, uint64_t *ret) {
        struct tm tm = {}, want;
        size_t len = strlen(s);
        int r;

        if (!(len == 10 || len == 16 || len == 19) || !all_digits(s, 4) || s[4] != '-' || !all_digits(s + 5, 2) ||
            s[7] != '-' || !all_digits(s + 8, 2))
                return -EINVAL;
        tm.tm_year = atoi(s) - 1900;
        tm.tm_mon = atoi(s + 5) - 1;
        tm.tm_mday = atoi(s + 8);
        if (len >= 16) {
                if ((s[10] != ' ' && s[10] != 'T') || !all_digits(s + 11, 2) || s[13] != ':' || !all_digits(s + 14, 2))
                        return -EINVAL;
                tm.tm_hour = atoi(s + 11);
                tm.tm_min = atoi(s + 14);
        }
        if (len == 19) {
                if (s[16] != ':' || !all_digits(s + 17, 2))
                        return -EINVAL;
                tm.tm_sec = atoi(s + 17);
        }
        if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59)
                return -EINVAL;
        want = tm;
        r = tm_to_usec(&tm, ret);
        if (r < 0)
                return r;
        /* mktime() turns February 30 into March 1: such a date does not exist. */
        if (tm.tm_mday != want.tm_mday || tm.tm_mon != want.tm_mon)
                return -EINVAL;
        return 0;
}

int events_parse_time(const char *s, uint64_t now, uint64_t *ret) {
        uint64_t span;

        assert(s && ret);

        if (streq(s, "now")) {
                *ret = now;
                return 0;
        }
        if (streq(s, "today"))
                return midnight(now, 0, ret);
        if (streq(s, "yesterday"))
                return midnight(now, -1, ret);
        if (streq(s, "tomorrow"))
                return midnight(now, 1, ret);
        if (s[0] == '-' || s[0] == '+') {
                int r = parse_span(s + 1, &span);

                if (r < 0)
                        return r;
                if (s[0] == '-') {
                        if (span > now)
                                return -ERANGE;
                        *ret = now - span;
                } else {
                        if (span > (uint64_t) TIME_MAX_SEC * USEC_PER_SEC - now)
                                return -ERANGE;
                        *ret = now + span;
                }
                return 0;
        }
        return parse_date(s, ret);
}

static bool is_hex(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
                        return false;
        return true;
}

/* 32 hex digits, or 8-4-4-4-12 with dashes; the length of what was read, 0 if none. */
static size_t parse_boot_id(const char *s, char id[static 33]) {
        static const size_t groups[] = { 8, 4, 4, 4, 12 };
        size_t pos = 0;

        if (is_hex(s, 32) && (s[32] == '\0' || s[32] == '+' || s[32] == '-')) {
                memcpy(id, s, 32);
                pos = 32;
        } else {
                size_t o = 0;

                for (size_t g = 0; g < ELEMENTSOF(groups); g++) {
                        if (!is_hex(s + pos, groups[g]))
                                return 0;
                        memcpy(id + o, s + pos, groups[g]);
                        o += groups[g];
                        pos += groups[g];
                        if (g + 1 < ELEMENTSOF(groups)) {
                                if (s[pos] != '-')
                                        return 0;
                                pos++;
                        }
                }
        }
        id[32] = '\0';
        for (size_t i = 0; i < 32; i++)
                if (id[i] >= 'A' && id[i] <= 'F')
                        id[i] = (char) (id[i] - 'A' + 'a');
        return pos;
}

static int parse_offset(const char *s, bool need_sign, int *ret) {
        char *end;
        long v;

        if (need_sign && s[0] != '-' && s[0] != '+')
                return -EINVAL;
        if (!ascii_isdigit(s[s[0] == '-' || s[0] == '+']))
                return -EINVAL;
        errno = 0;
        v = strtol(s, &end, 10);
        if (errno != 0 || *end || v < -1000000 || v > 1000000)
                return -EINVAL;
        *ret = (int) v;
        return 0;
}

int events_parse_boot(const char *s, BootSpec *ret) {
        BootSpec b = { .set = true };
        size_t n;
        int r;

        assert(ret);

        if (!s || !*s) {
                *ret = b;
                return 0;
        }
        n = parse_boot_id(s, b.id);
        if (n > 0) {
                b.has_id = true;
                if (s[n]) {
                        r = parse_offset(s + n, true, &b.offset);
                        if (r < 0)
                                return r;
                }
        } else {
                r = parse_offset(s, false, &b.offset);
                if (r < 0)
                        return r;
        }
        *ret = b;
        return 0;
}

bool events_looks_like_boot(const char *s) {
        BootSpec b;

        return s && *s && events_parse_boot(s, &b) >= 0;
}

int events_format_rfc3339(uint64_t usec, char ret[static 40]) {
        time_t t = (time_t) (usec / USEC_PER_SEC);
        char zone[8];
        struct tm tm;
        size_t n;

        if (usec == OOM_TIME_UNSET || usec / USEC_PER_SEC > (uint64_t) TIME_MAX_SEC || !localtime_r(&t, &tm))
                return -EINVAL;
        n = strftime(ret, 40, "%Y-%m-%dT%H:%M:%S", &tm);
        if (n == 0 || strftime(zone, sizeof(zone), "%z", &tm) != 5)
                return -EINVAL;
        /* RFC 3339 wants the offset as +HH:MM; strftime gives +HHMM. */
        (void) snprintf(ret + n, 40 - n, ".%06" PRIu64 "%.3s:%.2s", usec % USEC_PER_SEC, zone, zone + 3);
        return 0;
}

void events_format_wallclock(uint64_t usec, char ret[static 40]) {
        time_t t = (time_t) (usec / USEC_PER_SEC);
        struct tm tm;

        if (usec == OOM_TIME_UNSET || usec / USEC_PER_SEC > (uint64_t) TIME_MAX_SEC || !localtime_r(&t, &tm) ||
            strftime(ret, 40, "%Y-%m-%d %H:%M:%S", &tm) == 0)
                strcpy(ret, "-");
}
