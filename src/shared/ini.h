/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include "shared/diag.h"

/* INI syntax on top of inih, with exact line numbers and every syntax error
 * reported (inih alone reports only the first). Leading blanks are ignored, so
 * indentation is allowed and a value never continues on the next line. */
typedef struct IniCallbacks {
        /* A [section] header; called also for sections without keys. */
        int (*section)(void *userdata, const char *file, unsigned line, const char *section);
        /* KEY = VALUE inside the current section; value may be "". */
        int (*assignment)(void *userdata, const char *file, unsigned line, const char *section,
                          const char *key, const char *value);
} IniCallbacks;

/* The longest line (without its newline) that can be parsed. */
#define INI_LINE_MAX 198

/* Returns 0 when the callbacks saw every line (syntax errors, which go to diag,
 * don't stop parsing), or the first negative value a callback returned. */
int ini_parse_buffer(const char *file, const char *buf, size_t len, const IniCallbacks *cb, void *userdata,
                     DiagList *diag);
