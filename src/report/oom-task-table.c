/* SPDX-License-Identifier: MIT */
#include "report/oom-task-table.h"

#include <assert.h>
#include <string.h>

#include "report/oom-parse-util.h"
#include "shared/macro.h"
#include "shared/string-util.h"

static const char *const column_names[] = {
        [OOM_TASK_COLUMN_UID] = "uid",
        [OOM_TASK_COLUMN_TGID] = "tgid",
        [OOM_TASK_COLUMN_TOTAL_VM] = "total_vm",
        [OOM_TASK_COLUMN_RSS] = "rss",
        [OOM_TASK_COLUMN_RSS_ANON] = "rss_anon",
        [OOM_TASK_COLUMN_RSS_FILE] = "rss_file",
        [OOM_TASK_COLUMN_RSS_SHMEM] = "rss_shmem",
        [OOM_TASK_COLUMN_NR_PTES] = "nr_ptes",
        [OOM_TASK_COLUMN_NR_PMDS] = "nr_pmds",
        [OOM_TASK_COLUMN_PGTABLES_BYTES] = "pgtables_bytes",
        [OOM_TASK_COLUMN_SWAPENTS] = "swapents",
        [OOM_TASK_COLUMN_OOM_SCORE_ADJ] = "oom_score_adj",
};

static OomTaskColumn column_from_name(const char *s, size_t n) {
        for (size_t i = 0; i < ELEMENTSOF(column_names); i++)
                if (column_names[i] && strlen(column_names[i]) == n && strncmp(s, column_names[i], n) == 0)
                        return (OomTaskColumn) i;
        return OOM_TASK_COLUMN_UNKNOWN;
}

bool oom_task_table_parse_header(const char *s, OomTaskTable *t) {
        OomTaskTable parsed = {};
        const char *q;

        assert(s);
        assert(t);

        if (*s != '[')
                return false;
        q = skip_blanks(s + 1);
        if (!startswith(q, "pid"))
                return false;
        q = skip_blanks(q + 3);
        if (*q != ']' || !endswith(q, " name"))
                return false;
        q++;

        for (;;) {
                const char *w;

                q = skip_blanks(q);
                w = q;
                while (*q != '\0' && !ascii_isblank(*q))
                        q++;
                if (q == w)
                        return false;
                if ((size_t) (q - w) == 4 && strncmp(w, "name", 4) == 0 && *skip_blanks(q) == '\0')
                        break;
                if (parsed.n_columns >= OOM_TASK_TABLE_MAX_COLUMNS)
                        return false;
                parsed.columns[parsed.n_columns++] = column_from_name(w, (size_t) (q - w));
        }
        /* Only a whole header replaces the layout the rows are read with. */
        *t = parsed;
        return true;
}

bool oom_task_table_parse_row(const OomTaskTable *t, const char *s, OomTaskRow *ret, const char **ret_name) {
        OomTaskRow row = {
                .uid = OOM_UNSET, .tgid = OOM_UNSET, .total_vm = OOM_UNSET, .rss = OOM_UNSET,
                .rss_anon = OOM_UNSET, .rss_file = OOM_UNSET, .rss_shmem = OOM_UNSET,
                .pgtables_bytes = OOM_UNSET, .nr_ptes = OOM_UNSET, .swapents = OOM_UNSET,
                .oom_score_adj = OOM_UNSET,
        };
        const char *q;

        assert(t);
        assert(s);
        assert(ret);
        assert(ret_name);

        if (*s != '[')
                return false;
        q = oom_parse_padded_number(s + 1, &row.pid);
        if (!q || *q != ']')
                return false;
        q++;

        for (size_t i = 0; i < t->n_columns; i++) {
                int64_t v;

                if (!ascii_isblank(*q))
                        return false;
                q = oom_parse_padded_number(q, &v);
                if (!q)
                        return false;
                switch (t->columns[i]) {
                case OOM_TASK_COLUMN_UID:            row.uid = oom_uid_from_signed(v); break;
                case OOM_TASK_COLUMN_TGID:           row.tgid = v; break;
                case OOM_TASK_COLUMN_TOTAL_VM:       row.total_vm = v; break;
                case OOM_TASK_COLUMN_RSS:            row.rss = v; break;
                case OOM_TASK_COLUMN_RSS_ANON:       row.rss_anon = v; break;
                case OOM_TASK_COLUMN_RSS_FILE:       row.rss_file = v; break;
                case OOM_TASK_COLUMN_RSS_SHMEM:      row.rss_shmem = v; break;
                case OOM_TASK_COLUMN_NR_PTES:        row.nr_ptes = v; break;
                case OOM_TASK_COLUMN_PGTABLES_BYTES: row.pgtables_bytes = v; break;
                case OOM_TASK_COLUMN_SWAPENTS:       row.swapents = v; break;
                case OOM_TASK_COLUMN_OOM_SCORE_ADJ:  row.oom_score_adj = v; break;
                case OOM_TASK_COLUMN_NR_PMDS:
                case OOM_TASK_COLUMN_UNKNOWN:
                        break;
                }
        }
        /* The name follows after exactly one blank ("%5hd %s") and may contain more. */
        if (*q != ' ')
                return false;

        *ret = row;
        *ret_name = q + 1;
        return true;
}

bool oom_task_table_guess_layout(const char *s, OomTaskTable *t) {
        OomTaskTable guessed = {};
        const char *q;
        int64_t v;

        assert(s);
        assert(t);

        if (*s != '[')
                return false;
        q = oom_parse_padded_number(s + 1, &v);
        if (!q || *q != ']')
                return false;
        q++;

        /* Numbers up to the name, which follows after exactly one blank. */
        for (;;) {
                const char *next;

                if (!ascii_isblank(*q))
                        return false;
                next = oom_parse_padded_number(q, &v);
                if (!next || (*next != '\0' && !ascii_isblank(*next)))
                        break;
                if (guessed.n_columns >= OOM_TASK_TABLE_MAX_COLUMNS)
                        return false;
                guessed.n_columns++;
                q = next;
        }
        if (guessed.n_columns < 6 || *q != ' ' || q[1] == '\0' || ascii_isblank(q[1]))
                return false;

        guessed.columns[0] = OOM_TASK_COLUMN_UID;
        guessed.columns[1] = OOM_TASK_COLUMN_TGID;
        guessed.columns[2] = OOM_TASK_COLUMN_TOTAL_VM;
        guessed.columns[3] = OOM_TASK_COLUMN_RSS;
        guessed.columns[guessed.n_columns - 1] = OOM_TASK_COLUMN_OOM_SCORE_ADJ;
        *t = guessed;
        return true;
}
