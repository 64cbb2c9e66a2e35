/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "shared/macro.h"

/* NULL-terminated arrays of owned strings. */
void strv_free(char **l);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free);
#define _cleanup_strv_free_ _cleanup_(strv_freep)

size_t strv_length(char *const *l);
bool strv_contains(char *const *l, const char *s);
/* Takes ownership of s (also on failure). */
int strv_consume(char ***l, char *s);
int strv_extend(char ***l, const char *s);
/* Splits on blanks; an all-blank string gives an empty (non-NULL) list. */
int strv_split_blank(const char *s, char ***ret);
/* Joins with sep; NULL or empty list gives "". */
char *strv_join(char *const *l, const char *sep);
char **strv_copy(char *const *l);
