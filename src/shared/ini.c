/* SPDX-License-Identifier: MIT */
#include "shared/ini.h"

#include <assert.h>
#include <errno.h>
#include <ini.h>
#include <stdbool.h>
#include <string.h>

#include "shared/macro.h"

typedef struct IniState {
        const char *file;
        const char *buf;
        size_t len, pos;
        unsigned line;
        bool in_section;
        /* Our own copy: inih passes the name untrimmed and cut at 49 characters. */
        char section[INI_LINE_MAX + 1];
        const IniCallbacks *cb;
        void *userdata;
        DiagList *diag;
        int error;      /* first negative callback/diag result */
} IniState;

static bool is_blank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* inih treats ';' as an inline comment only after a blank; mirror that rule. */
static const char *find_outside_comment(const char *s, const char *chars) {
        bool was_blank = false;

        for (; *s; s++) {
                if (strchr(chars, *s))
                        return s;
                if (*s == ';' && was_blank)
                        return NULL;
                was_blank = is_blank(*s);
        }
        return NULL;
}

static void note(IniState *st, int r) {
        if (r < 0 && st->error == 0)
                st->error = r;
}

static bool only_comment_follows(const char *s) {
        while (is_blank(*s))
                s++;
        return *s == '\0' || *s == ';' || *s == '#';
}

/* Returns true when the line may be handed to inih as it is. */
static bool check_line(IniState *st, char *line) {
        const char *delim;

        if (*line == '\0' || *line == ';' || *line == '#')
                return true;

        if (*line == '[') {
                char section[INI_LINE_MAX + 1];
                const char *close;
                size_t n;
                char *s, *e;

                /* After a broken header, keys are skipped quietly: one error per mistake. */
                st->in_section = true;
                st->section[0] = '\0';
                close = find_outside_comment(line + 1, "]");
                if (!close) {
                        note(st, diag_error(st->diag, st->file, st->line, "section header is missing its closing ']'"));
                        return false;
                }
                if (!only_comment_follows(close + 1)) {
                        note(st, diag_error(st->diag, st->file, st->line, "unexpected text after section header"));
                        return false;
                }
                n = (size_t) (close - line - 1);
                memcpy(section, line + 1, n);
                section[n] = '\0';
                for (s = section; is_blank(*s); s++)
                        ;
                for (e = s + strlen(s); e > s && is_blank(e[-1]); e--)
                        ;
                *e = '\0';
                if (*s == '\0') {
                        note(st, diag_error(st->diag, st->file, st->line, "empty section name"));
                        return false;
                }
                memcpy(st->section, s, strlen(s) + 1);
                note(st, st->cb->section(st->userdata, st->file, st->line, s));
                return true;
        }

        delim = find_outside_comment(line, "=:");
        if (!delim) {
                note(st, diag_error(st->diag, st->file, st->line, "expected 'KEY = VALUE', a [section] header or a comment"));
                return false;
        }
        if (delim == line) {
                note(st, diag_error(st->diag, st->file, st->line, "missing key before '%c'", *delim));
                return false;
        }
        if (!st->in_section) {
                note(st, diag_error(st->diag, st->file, st->line, "assignment outside of any [section]"));
                return false;
        }
        return st->section[0] != '\0';
}

static char *read_vetted_line(char *str, int num, void *stream) {
        IniState *st = stream;
        const char *start, *nl;
        size_t n;

        if (st->pos >= st->len)
                return NULL;
        start = st->buf + st->pos;
        nl = memchr(start, '\n', st->len - st->pos);
        n = nl ? (size_t) (nl - start) : st->len - st->pos;
        st->pos += n + (nl ? 1 : 0);
        st->line++;

        if (st->line == 1 && n >= 3 && memcmp(start, "\xEF\xBB\xBF", 3) == 0) {
                start += 3;
                n -= 3;
        }
        while (n > 0 && is_blank(*start)) {
                start++;
                n--;
        }
        while (n > 0 && is_blank(start[n - 1]))
                n--;

        if (n > INI_LINE_MAX || n + 2 > (size_t) num) {
                note(st, diag_error(st->diag, st->file, st->line,
                                    "line is longer than %d characters; split it (e.g. into several rules)", INI_LINE_MAX));
                n = 0;
        } else if (memchr(start, '\0', n)) {
                note(st, diag_error(st->diag, st->file, st->line, "line contains a NUL byte"));
                n = 0;
        }

        memcpy(str, start, n);
        str[n] = '\0';
        if (!check_line(st, str))
                str[0] = '\0';
        n = strlen(str);
        str[n] = '\n';
        str[n + 1] = '\0';
        return str;
}

static int handle_assignment(void *user, const char *section, const char *name, const char *value) {
        IniState *st = user;

        (void) section;
        note(st, st->cb->assignment(st->userdata, st->file, st->line, st->section, name, value));
        return 1;
}

int ini_parse_buffer(const char *file, const char *buf, size_t len, const IniCallbacks *cb, void *userdata,
                     DiagList *diag) {
        IniState st = {
                .file = file,
                .buf = buf,
                .len = len,
                .cb = cb,
                .userdata = userdata,
                .diag = diag,
        };
        int r;

        assert(buf && cb && diag);
        r = ini_parse_stream(read_vetted_line, &st, handle_assignment, &st);
        if (st.error < 0)
                return st.error;
        /* Every line was vetted above, so inih itself should never object. */
        if (r != 0)
                return diag_error(diag, file, (unsigned) MAX(r, 0), "unparsable line") ?: -EINVAL;
        return 0;
}
