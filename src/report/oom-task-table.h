/* SPDX-License-Identifier: MIT */
#pragma once

/* The "Tasks state" table of an OOM report (dump_tasks()): its header, which
 * says which columns this kernel prints, and the rows under it. Pure functions
 * on one message; the report parser keeps the layout between the lines. */

#include <stdbool.h>
#include <stddef.h>

#include "report/oom-event.h"

#define OOM_TASK_TABLE_MAX_COLUMNS 16

typedef enum OomTaskColumn {
        OOM_TASK_COLUMN_UNKNOWN,        /* read, and ignored */
        OOM_TASK_COLUMN_UID,
        OOM_TASK_COLUMN_TGID,
        OOM_TASK_COLUMN_TOTAL_VM,
        OOM_TASK_COLUMN_RSS,
        OOM_TASK_COLUMN_RSS_ANON,
        OOM_TASK_COLUMN_RSS_FILE,
        OOM_TASK_COLUMN_RSS_SHMEM,
        OOM_TASK_COLUMN_NR_PTES,
        OOM_TASK_COLUMN_NR_PMDS,
        OOM_TASK_COLUMN_PGTABLES_BYTES,
        OOM_TASK_COLUMN_SWAPENTS,
        OOM_TASK_COLUMN_OOM_SCORE_ADJ,
} OomTaskColumn;

/* The numeric columns between "[ pid ]" and "name", in order. */
typedef struct OomTaskTable {
        OomTaskColumn columns[OOM_TASK_TABLE_MAX_COLUMNS];
        size_t n_columns;
} OomTaskTable;

/* "[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name"    3.10
 * "[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds swapents oom_score_adj name"
 * "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name"  4.19+
 * "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes ..."
 * Returns true and the layout in t; t is left alone when s is no header (or one
 * with more than OOM_TASK_TABLE_MAX_COLUMNS columns). */
bool oom_task_table_parse_header(const char *s, OomTaskTable *t);

/* A row seen without its header (a fragment that starts inside the table). Every
 * layout since 2.6.32 begins "uid tgid total_vm rss" and ends "oom_score_adj name",
 * so a row of at least six numbers gives that much of the layout; the columns between
 * are read and ignored. Returns true and the layout in t, or false and t untouched. */
bool oom_task_table_guess_layout(const char *s, OomTaskTable *t);

/* "[  1234]     0  1234   123456     7890 ...         0 name with blanks", a row
 * under t's header. Returns true and the numbers in ret (columns t lacks are
 * OOM_UNSET, ret->name NULL) and in *ret_name the name: the rest of s. */
bool oom_task_table_parse_row(const OomTaskTable *t, const char *s, OomTaskRow *ret, const char **ret_name);
