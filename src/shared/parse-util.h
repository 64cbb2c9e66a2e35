/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Strict number parsing: the whole string must be a base-10 integer.
 * Returns 0, -ENODATA (empty or only blanks), -EINVAL (not a number or trailing
 * garbage), or -ERANGE (outside [min, max]). */
int parse_int64_range(const char *s, int64_t min, int64_t max, int64_t *ret);
int parse_int_range(const char *s, int min, int max, int *ret);

/* yes/no, true/false, on/off, 1/0 (case-insensitive). Returns 1, 0 or -EINVAL. */
int parse_boolean(const char *s);

/* Log levels by syslog name ("err", "warning", "info", "debug", ...) or 0..7. */
int parse_log_level(const char *s);
const char *log_level_to_string(int level);
