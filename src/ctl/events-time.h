/* SPDX-License-Identifier: MIT */
#pragma once

/* The pure parts of oompolicyctl events' options: --since/--until times and
 * --boot descriptors as journalctl takes them, and how event times are shown.
 * No I/O, no clock: "now" is a parameter, the time zone that of TZ. */

#include <stdbool.h>
#include <stdint.h>

/* Parses a --since/--until value into µs since the epoch: "YYYY-MM-DD",
 * "YYYY-MM-DD HH:MM", "YYYY-MM-DD HH:MM:SS" (local time; a 'T' may stand for the
 * blank), "now", "today", "yesterday", "tomorrow" (midnights), and "-N UNIT" /
 * "+N UNIT" relative to now (us, ms, s, sec, m, min, h, hour(s), d, day(s),
 * w, week(s); several may follow each other: "-1h30min"). -EINVAL for anything
 * else, -ERANGE for a time before the epoch or past the year 9999. */
int events_parse_time(const char *s, uint64_t now_usec, uint64_t *ret);

/* --boot: nothing given means the last boot (offset 0). */
typedef struct BootSpec {
        bool set;               /* --boot or -b was given */
        bool has_id;            /* id is set (and offset is relative to it: 0 unless "ID+N"/"ID-N") */
        char id[33];            /* 32 lower-case hex digits */
        int offset;             /* 0 = last boot, -1 the one before, ...; N > 0: the Nth from the first */
} BootSpec;

/* "", "0", "-1", "+2", "3", "ID" (32 hex digits, or the UUID form with dashes),
 * "ID-1", "ID+1". NULL means "-b" alone (the last boot). -EINVAL otherwise. */
int events_parse_boot(const char *s, BootSpec *ret);

/* Whether s is a --boot value rather than the next word of the command line
 * ("-b -1" as journalctl takes it). */
bool events_looks_like_boot(const char *s);

/* "2024-08-11T20:21:28.123456+02:00" in the local time zone (TZ); ret has room
 * for 40 bytes. -EINVAL for OOM_TIME_UNSET or a time that does not format. */
int events_format_rfc3339(uint64_t usec, char ret[static 40]);

/* "2024-08-11 20:21:28" local; "-" for OOM_TIME_UNSET. */
void events_format_wallclock(uint64_t usec, char ret[static 40]);
