/* SPDX-License-Identifier: MIT */
#include "ctl/events-join.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shared/parse-util.h"
#include "shared/string-util.h"

static void kill_note_done(KillNote *n) {
        free(n->comm);
        free(n->rule.name);
        free(n->rule.origin);
}

void kill_notes_done(KillNotes *t) {
        assert(t);
        for (size_t i = 0; i < t->n; i++)
                kill_note_done(&t->notes[i]);
        free(t->notes);
        *t = (KillNotes) {};
}

static bool valid_boot_id(const char *s) {
        if (!s || strlen(s) != 32)
                return false;
        for (size_t i = 0; i < 32; i++)
                if (!strchr("0123456789abcdef", s[i]))
                        return false;
        return true;
}

static int strdup_or_null(const char *s, char **ret) {
        *ret = NULL;
        if (!s)
                return 0;
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

int kill_notes_add(KillNotes *t, const char *boot_id, const char *pid, const char *comm, const char *rule,
                   const char *origin, const char *adj) {
        KillNote n = { .rule.oom_score_adj = OOM_UNSET };
        int64_t v;

        assert(t);

        if (!valid_boot_id(boot_id) || !pid || parse_int64_range(pid, 1, INT32_MAX, &n.pid) < 0)
                return -EINVAL;
        /* A malformed value is left out; the rest of the entry still joins. */
        if (rule && adj && parse_int64_range(adj, -1000, 1000, &v) >= 0)
                n.rule.oom_score_adj = v;
        memcpy(n.boot_id, boot_id, sizeof(n.boot_id));
        if (strdup_or_null(comm, &n.comm) < 0 || strdup_or_null(rule, &n.rule.name) < 0 ||
            strdup_or_null(rule ? origin : NULL, &n.rule.origin) < 0)
                goto oom;
        if (t->n >= t->allocated) {
                size_t a = t->allocated ? t->allocated * 2 : 16;
                KillNote *p = reallocarray(t->notes, a, sizeof(*p));

                if (!p)
                        goto oom;
                t->notes = p;
                t->allocated = a;
        }
        t->notes[t->n++] = n;
        return 0;

oom:
        kill_note_done(&n);
        return -ENOMEM;
}

const KillNote *kill_notes_join(KillNotes *t, const char *boot_id, const OomEvent *e) {
        assert(t && e);

        if (!boot_id || !e->has_kill || e->victim_pid == OOM_UNSET)
                return NULL;
        for (size_t i = 0; i < t->n; i++) {
                KillNote *n = &t->notes[i];

                if (n->used || n->pid != e->victim_pid || !streq(n->boot_id, boot_id))
                        continue;
                /* Both comms come from the kernel's kill line, so they agree unless
                 * the pid was reused within the boot. */
                if (n->comm && e->victim_comm && !streq(n->comm, e->victim_comm))
                        continue;
                n->used = true;
                return n;
        }
        return NULL;
}
