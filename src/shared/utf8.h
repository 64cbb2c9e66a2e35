/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

/* Text from the machine (process names, kernel log lines, file contents) is bytes,
 * not necessarily UTF-8: a comm cut at 15 bytes can end inside a character. JSON
 * text must be UTF-8. Pure. */

/* Well-formed UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates,
 * nothing above U+10FFFF. */
bool utf8_is_valid(const char *s);
/* A copy in which every byte that is not part of a well-formed sequence is
 * replaced by U+FFFD. NULL when out of memory. */
char *utf8_make_valid(const char *s);
