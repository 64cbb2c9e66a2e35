/* SPDX-License-Identifier: MIT */
#pragma once

/* Number and text primitives shared by the parsers of OOM report lines
 * (oom-kill-line.c, oom-context-line.c, oom-task-table.c, oom-report.c); not
 * used outside src/report. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* TASK_COMM_LEN is 16, but leave room for kernels that print longer names. */
#define OOM_MAX_COMM_LEN 64

/* Optionally signed decimal at p. Returns the end, or NULL if there is no number
 * or it does not fit (INT64_MIN is OOM_UNSET, so it is excluded too). */
const char *oom_parse_number(const char *p, int64_t *ret);

/* Like oom_parse_number() after optional blanks, as "%5d" pads. */
const char *oom_parse_padded_number(const char *p, int64_t *ret);

/* The whole span [p, end) must be a number, followed by "kB" if kb allows it. */
bool oom_parse_number_span(const char *p, const char *end, bool kb, int64_t *ret);

/* uids are printed with %d in the task table and the oom-kill: summary, so ids
 * above INT32_MAX (user namespaces ranges) come out negative there. */
int64_t oom_uid_from_signed(int64_t v);

/* Replaces *dst with a copy of the n bytes at s. 0 or -ENOMEM (*dst untouched). */
int oom_strdup_span(char **dst, const char *s, size_t n);
