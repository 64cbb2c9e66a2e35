/* SPDX-License-Identifier: MIT */
#include "shared/diag.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void diag_list_done(DiagList *d) {
        assert(d);
        for (size_t i = 0; i < d->n_entries; i++) {
                free(d->entries[i].file);
                free(d->entries[i].message);
        }
        free(d->entries);
        *d = (DiagList) {};
}

int diag_add(DiagList *d, bool warning, const char *file, unsigned line, const char *fmt, ...) {
        _cleanup_free_ char *message = NULL, *file_copy = NULL;
        DiagEntry *grown;
        va_list ap;
        int r;

        assert(d && fmt);
        va_start(ap, fmt);
        r = vasprintf(&message, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        if (file) {
                file_copy = strdup(file);
                if (!file_copy)
                        return -ENOMEM;
        }

        grown = realloc(d->entries, (d->n_entries + 1) * sizeof(DiagEntry));
        if (!grown)
                return -ENOMEM;
        d->entries = grown;
        d->entries[d->n_entries++] = (DiagEntry) {
                .file = TAKE_PTR(file_copy),
                .line = line,
                .warning = warning,
                .message = TAKE_PTR(message),
        };
        if (warning)
                d->n_warnings++;
        else
                d->n_errors++;
        return 0;
}

char *diag_entry_format(const DiagEntry *e) {
        char *s = NULL;
        const char *kind;
        int r;

        assert(e);
        kind = e->warning ? "warning: " : "";
        if (e->file && e->line > 0)
                r = asprintf(&s, "%s:%u: %s%s", e->file, e->line, kind, e->message);
        else if (e->file)
                r = asprintf(&s, "%s: %s%s", e->file, kind, e->message);
        else
                r = asprintf(&s, "%s%s", kind, e->message);
        return r < 0 ? NULL : s;
}

void diag_list_print(const DiagList *d, FILE *f) {
        assert(d && f);
        for (size_t i = 0; i < d->n_entries; i++) {
                _cleanup_free_ char *line = diag_entry_format(&d->entries[i]);

                fprintf(f, "%s\n", line ?: d->entries[i].message);
        }
}
