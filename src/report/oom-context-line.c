/* SPDX-License-Identifier: MIT */
#include "report/oom-context-line.h"

#include <assert.h>
#include <string.h>

#include "report/oom-event.h"
#include "report/oom-parse-util.h"
#include "shared/string-util.h"

/* Excerpts trimmed by hand sometimes keep only "COMM invoked oom-killer" of the
 * line; the comm is still unambiguous there. */
static bool parse_bare_trigger(const char *text, OomTriggerLine *ret) {
        static const char suffix[] = " invoked oom-killer";
        size_t n = strlen(text), k = strlen(suffix);

        while (n > 0 && ascii_isblank(text[n - 1]))
                n--;
        if (n <= k || n - k > OOM_MAX_COMM_LEN || strncmp(text + n - k, suffix, k) != 0)
                return false;
        *ret = (OomTriggerLine) {
                .comm = text,
                .comm_len = n - k,
                .order = OOM_UNSET,
                .oom_score_adj = OOM_UNSET,
                .oom_adj = OOM_UNSET,
        };
        return true;
}

bool oom_trigger_line_parse(const char *text, OomTriggerLine *ret) {
        static const char marker[] = " invoked oom-killer: ", old_marker[] = "oom-killer: ";
        OomTriggerLine t = { .order = OOM_UNSET, .oom_score_adj = OOM_UNSET, .oom_adj = OOM_UNSET };
        const char *m, *rest;

        assert(text);
        assert(ret);

        if (startswith(text, old_marker)) {
                /* Up to 2.6.18 the line named no task. */
                m = NULL;
                rest = text + strlen(old_marker);
        } else {
                m = strstr(text, marker);
                /* The comm is printed first and may itself contain blanks and parentheses. */
                if (!m)
                        return parse_bare_trigger(text, ret);
                if (m == text || m - text > OOM_MAX_COMM_LEN)
                        return false;
                rest = m + strlen(marker);
        }

        for (; *(rest = skip_blanks(rest)) != '\0'; ) {
                /* 4.14 prints "nodemask=(null),  order=2": blanks before a key are skipped */
                const char *end = strstr(rest, ", "), *eq;
                int64_t v;

                if (!end)
                        end = rest + strlen(rest);
                eq = memchr(rest, '=', (size_t) (end - rest));
                if (eq) {
                        size_t klen = (size_t) (eq - rest);
                        /* Some kernels leave a blank at the end of the line. */
                        const char *vend = end;

                        while (vend > eq + 1 && ascii_isblank(vend[-1]))
                                vend--;

                        if (klen == 8 && strncmp(rest, "gfp_mask", klen) == 0) {
                                t.gfp_mask = eq + 1;
                                t.gfp_mask_len = (size_t) (vend - eq - 1);
                        } else if (klen == 5 && strncmp(rest, "order", klen) == 0) {
                                if (oom_parse_number_span(eq + 1, vend, false, &v))
                                        t.order = v;
                        } else if (klen == 13 && strncmp(rest, "oom_score_adj", klen) == 0) {
                                if (oom_parse_number_span(eq + 1, vend, false, &v))
                                        t.oom_score_adj = v;
                        } else if ((klen == 7 && strncmp(rest, "oom_adj", klen) == 0) ||
                                   (klen == 10 && strncmp(rest, "oomkilladj", klen) == 0)) {
                                if (oom_parse_number_span(eq + 1, vend, false, &v))
                                        t.oom_adj = v;
                        }
                }
                rest = *end != '\0' ? end + 2 : end;
        }
        if (!t.gfp_mask && t.order == OOM_UNSET)
                return false;

        if (m) {
                t.comm = text;
                t.comm_len = (size_t) (m - text);
        }
        *ret = t;
        return true;
}

bool oom_group_line_parse(const char *s, const char **ret_cgroup, size_t *ret_len) {
        static const char tail[] = " are going to be killed due to memory.oom.group set";
        const char *q;

        assert(s);
        assert(ret_cgroup);
        assert(ret_len);

        q = startswith(s, "Tasks in ");
        if (!q || !endswith(q, tail))
                return false;
        *ret_cgroup = q;
        *ret_len = strlen(q) - (sizeof(tail) - 1);
        return true;
}

bool oom_foreign_report_line(const char *s) {
        assert(s);
        return strstr(s, ": page allocation failure") || startswith(s, "------------[ cut here ]") ||
               startswith(s, "BUG: ") || startswith(s, "Unable to handle kernel ") ||
               startswith(s, "Internal error: ");
}

/* The pid and comm of a dump_stack() header; NULL comm when it cannot be read. */
static void parse_dump_stack(const char *s, OomContextLine *l) {
        const char *q;
        int64_t pid;

        if ((q = startswith(s, "CPU: "))) {
                q = strstr(q, " PID: ");
                if (!q)
                        return;
                q = oom_parse_number(q + 6, &pid);
                q = q ? startswith(q, " Comm: ") : NULL;
        } else {
                q = oom_parse_number(s + 5, &pid);
                q = q ? startswith(q, ", comm: ") : NULL;
        }
        if (!q)
                return;
        l->value = pid;
        l->text = q;
        l->text_len = strlen(q);
}

void oom_context_line_parse(const char *s, OomContextLine *ret) {
        const char *q;
        int64_t v;

        assert(s);
        assert(ret);

        *ret = (OomContextLine) { .kind = OOM_CONTEXT_OTHER, .value = OOM_UNSET };

        if (startswith(s, "CPU: ") || startswith(s, "Pid: ")) {
                ret->kind = OOM_CONTEXT_DUMP_STACK;
                parse_dump_stack(s, ret);
        } else if (streq(s, "Mem-Info:"))
                ret->kind = OOM_CONTEXT_MEM_INFO;
        else if ((q = startswith(s, "Free swap "))) {
                ret->kind = OOM_CONTEXT_FREE_SWAP;
                q = skip_blanks(q);
                if (*q == '=' && oom_parse_number_span(skip_blanks(q + 1), q + strlen(q), true, &v))
                        ret->value = v;
        } else if (endswith(s, " pages RAM")) {
                ret->kind = OOM_CONTEXT_PAGES_RAM;
                q = oom_parse_number(s, &v);
                if (q && streq(q, " pages RAM"))
                        ret->value = v;
        } else if (endswith(s, " pages reserved")) {
                ret->kind = OOM_CONTEXT_PAGES_RESERVED;
                q = oom_parse_number(s, &v);
                if (q && streq(q, " pages reserved"))
                        ret->value = v;
        } else if ((q = startswith(s, "Task in "))) {
                const char *m = strstr(s, " killed as a result of limit of ");

                ret->kind = OOM_CONTEXT_MEMCG_LIMIT;
                if (m) {
                        ret->text = q;
                        ret->text_len = (size_t) (m - q);
                }
        } else if (startswith(s, "memory: usage ") || startswith(s, "Memory cgroup stats for "))
                ret->kind = OOM_CONTEXT_MEMCG_INFO;
}

bool oom_context_line_names(const OomContextLine *l, const char *comm) {
        size_t n;

        assert(l);
        assert(comm);

        if (l->kind != OOM_CONTEXT_DUMP_STACK || !l->text)
                return false;
        n = strlen(comm);
        return strncmp(l->text, comm, n) == 0 && (l->text[n] == ' ' || l->text[n] == '\0');
}

int64_t oom_meminfo_free_pages(const char *s) {
        int64_t free_pages = OOM_UNSET;

        assert(s);

        if (startswith(s, "Node "))
                return OOM_UNSET;
        for (const char *q = s; *q != '\0'; ) {
                const char *end;

                q = skip_blanks(q);
                end = q;
                while (*end != '\0' && !ascii_isblank(*end))
                        end++;
                if (startswith(q, "free:") && end > q + 5)
                        (void) oom_parse_number_span(q + 5, end, false, &free_pages);
                q = end;
        }
        return free_pages;
}
