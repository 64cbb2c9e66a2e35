/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "shared/macro.h"

/* Diagnostics about input files, collected so that every problem of a run can be
 * reported at once as "FILE:LINE: message". */
typedef struct DiagEntry {
        char *file;       /* NULL for problems not tied to a file */
        unsigned line;    /* 0 when the problem concerns the whole file */
        bool warning;
        char *message;
} DiagEntry;

typedef struct DiagList {
        DiagEntry *entries;
        size_t n_entries;
        size_t n_errors;
        size_t n_warnings;
} DiagList;

void diag_list_done(DiagList *d);
int diag_add(DiagList *d, bool warning, const char *file, unsigned line, const char *fmt, ...) _printf_(5, 6);
#define diag_error(d, file, line, ...) diag_add((d), false, (file), (line), __VA_ARGS__)
#define diag_warning(d, file, line, ...) diag_add((d), true, (file), (line), __VA_ARGS__)
/* Renders one entry as "FILE:LINE: [warning: ]message"; caller frees. */
char *diag_entry_format(const DiagEntry *e);
void diag_list_print(const DiagList *d, FILE *f);
