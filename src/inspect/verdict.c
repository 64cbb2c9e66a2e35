/* SPDX-License-Identifier: MIT */
#include "inspect/verdict.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/macro.h"
#include "shared/strv.h"

const char *kill_verdict_kernel(int oom_score_adj) {
        if (oom_score_adj <= -1000)
                return "kernel: never";
        if (oom_score_adj <= -900)
                return "kernel: only if nothing else is left";
        if (oom_score_adj < 0)
                return "kernel: less likely than its size says";
        if (oom_score_adj == 0)
                return "kernel: by its size";
        return "kernel: more likely than its size says";
}

static int add(char ***l, const char *fmt, ...) _printf_(2, 3);
static int add(char ***l, const char *fmt, ...) {
        va_list ap;
        char *s;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return strv_consume(l, s);
}

static int add_systemd(char ***l, const KillerFacts *f) {
        if (!f->unit || !f->oom_policy_applies)
                return 0;
        if (!f->oom_policy)
                return add(l, "systemd: OOMPolicy= of %s unknown", f->unit);
        if (strcmp(f->oom_policy, "stop") == 0)
                return add(l, "systemd stops %s if any process in it is OOM-killed (OOMPolicy=stop)", f->unit);
        if (strcmp(f->oom_policy, "kill") == 0)
                return add(l, "systemd kills all of %s if any process in it is OOM-killed (OOMPolicy=kill)", f->unit);
        if (strcmp(f->oom_policy, "continue") == 0)
                return add(l, "systemd keeps %s running after an OOM kill in it (OOMPolicy=continue)", f->unit);
        return add(l, "systemd: OOMPolicy=%s for %s", f->oom_policy, f->unit);
}

static int add_oomd(char ***l, const KillerFacts *f) {
        const char *p = f->oomd_preference;

        if (!f->unit)
                return 0;
        if (!p)
                return add(l, "systemd-oomd: preference unknown");
        if (f->user_owned && strcmp(p, "none") != 0)
                return add(l, "systemd-oomd: ManagedOOMPreference=%s is ignored (a user owns the cgroup)", p);
        if (f->oomd_mark_off)
                return add(l, "systemd-oomd: ManagedOOMPreference=%s is not in effect (the cgroup %s %s)", p,
                           strcmp(p, "none") == 0 ? "still carries" : "lacks", f->oomd_mark_off);
        if (strcmp(p, "omit") == 0)
                return add(l, "systemd-oomd: omitted");
        if (strcmp(p, "avoid") == 0)
                return add(l, "systemd-oomd: avoided (only if nothing else is left)");
        return add(l, "systemd-oomd: may kill %s whole if it watches its slice", f->unit);
}

int kill_verdict(const KillerFacts *f, char **ret) {
        _cleanup_strv_free_ char **parts = NULL;
        char *s;
        int r;

        assert(f);
        assert(ret);

        r = add(&parts, "%s (%d)", kill_verdict_kernel(f->oom_score_adj), f->oom_score_adj);
        if (r >= 0 && f->oom_group == 1)
                r = add(&parts, "kernel kills its whole cgroup %s (memory.oom.group)%s", strna(f->oom_group_cgroup),
                        f->oom_score_adj <= -1000 ? ", except this process" : "");
        if (r >= 0)
                r = add_systemd(&parts, f);
        if (r >= 0)
                r = add_oomd(&parts, f);
        if (r < 0)
                return r;
        s = strv_join(parts, "; ");
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

void kill_verdict_flags(const KillerFacts *f, char ret[static 8]) {
        size_t n = 0;
        bool unknown = f->oom_group < 0;

        assert(f);
        if (f->oom_group == 1)
                ret[n++] = 'G';
        if (f->unit && f->oom_policy_applies) {
                if (!f->oom_policy)
                        unknown = true;
                else if (strcmp(f->oom_policy, "stop") == 0)
                        ret[n++] = 'S';
                else if (strcmp(f->oom_policy, "kill") == 0)
                        ret[n++] = 'K';
        }
        if (f->unit) {
                const char *p = f->oomd_preference;

                if (!p)
                        unknown = true;
                else if (strcmp(p, "none") != 0)
                        ret[n++] = f->user_owned ? 'u' : p[0] == 'a' ? 'a' : 'o';
        }
        if (unknown)
                ret[n++] = '?';
        if (n == 0)
                ret[n++] = '-';
        ret[n] = '\0';
}
