/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <string.h>

/* Locale-independent character classes: the inputs are kernel text and config
 * files, whose digits and blanks are ASCII whatever LC_CTYPE says. */
static inline bool ascii_isdigit(char c) {
        return c >= '0' && c <= '9';
}

static inline bool ascii_isblank(char c) {
        return c == ' ' || c == '\t';
}

static inline const char *skip_blanks(const char *p) {
        while (ascii_isblank(*p))
                p++;
        return p;
}

static inline bool streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}

/* The rest of s after prefix, or NULL when s does not begin with it. */
static inline const char *startswith(const char *s, const char *prefix) {
        size_t n = strlen(prefix);

        return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

static inline bool endswith(const char *s, const char *suffix) {
        size_t l = strlen(s), k = strlen(suffix);

        return l >= k && memcmp(s + l - k, suffix, k) == 0;
}

/* "1 rule", "2 rules": the suffix for a count of a regular noun. */
static inline const char *plural(size_t n) {
        return n == 1 ? "" : "s";
}
