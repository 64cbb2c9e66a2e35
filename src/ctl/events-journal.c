/* SPDX-License-Identifier: MIT */
#include "ctl/events-journal.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/events-join.h"
#include "shared/macro.h"
#include "shared/string-util.h"

/* A quiet journal for this long releases kills waiting for their oom_reaper
 * line and for the daemon's entry. */
#define IDLE_USEC UINT64_C(1000000)

typedef struct Boot {
        char id[33];
        uint64_t first_usec;
} Boot;

/* The value of FIELD of the current entry, NUL-terminated; NULL if absent.
 * Returns 0 or -ENOMEM. */
static int get_field(sd_journal *j, const char *field, char **ret) {
        size_t flen = strlen(field), len;
        const void *data;
        int r;

        *ret = NULL;
        r = sd_journal_get_data(j, field, &data, &len);
        if (r < 0 || len <= flen || ((const char *) data)[flen] != '=')
                return 0;
        *ret = strndup((const char *) data + flen + 1, len - flen - 1);
        return *ret ? 0 : -ENOMEM;
}

static int cmp_boot(const void *a, const void *b) {
        const Boot *x = a, *y = b;

        return x->first_usec < y->first_usec ? -1 : x->first_usec > y->first_usec;
}

/* The journal's boots, oldest first (by their first entry). */
static int list_boots(sd_journal *j, Boot **ret, size_t *ret_n) {
        _cleanup_free_ Boot *boots = NULL;
        size_t n = 0, allocated = 0;
        const void *data;
        size_t len;
        int r;

        r = sd_journal_query_unique(j, "_BOOT_ID");
        if (r < 0)
                return r;
        SD_JOURNAL_FOREACH_UNIQUE(j, data, len) {
                if (len != strlen("_BOOT_ID=") + 32)
                        continue;
                if (n >= allocated) {
                        size_t a = allocated ? allocated * 2 : 16;
                        Boot *p = reallocarray(boots, a, sizeof(*p));

                        if (!p)
                                return -ENOMEM;
                        boots = p;
                        allocated = a;
                }
                memcpy(boots[n].id, (const char *) data + strlen("_BOOT_ID="), 32);
                boots[n].id[32] = '\0';
                boots[n].first_usec = UINT64_MAX;
                n++;
        }
        for (size_t i = 0; i < n; i++) {
                char match[64];

                sd_journal_flush_matches(j);
                (void) snprintf(match, sizeof(match), "_BOOT_ID=%s", boots[i].id);
                r = sd_journal_add_match(j, match, 0);
                if (r < 0)
                        return r;
                r = sd_journal_seek_head(j);
                if (r < 0)
                        return r;
                r = sd_journal_next(j);
                if (r < 0)
                        return r;
                if (r > 0)
                        (void) sd_journal_get_realtime_usec(j, &boots[i].first_usec);
        }
        sd_journal_flush_matches(j);
        qsort(boots, n, sizeof(*boots), cmp_boot);
        *ret = TAKE_PTR(boots);
        *ret_n = n;
        return 0;
}

static int resolve_boot(sd_journal *j, const BootSpec *b, char ret[static 33], char **ret_error) {
        _cleanup_free_ Boot *boots = NULL;
        size_t n = 0;
        long idx;
        int r;

        r = list_boots(j, &boots, &n);
        if (r < 0)
                return r;
        if (b->has_id) {
                size_t i;

                for (i = 0; i < n; i++)
                        if (streq(boots[i].id, b->id))
                                break;
                if (i >= n) {
                        r = asprintf(ret_error, "boot %s is not in the journal", b->id);
                        return r < 0 ? -ENOMEM : -ENXIO;
                }
                idx = (long) i + b->offset;
        } else if (b->offset <= 0)
                idx = (long) n - 1 + b->offset;
        else
                idx = b->offset - 1;
        if (n == 0)
                return 0;       /* an empty journal: the caller says what that means */
        if (idx < 0 || (size_t) idx >= n) {
                r = asprintf(ret_error, "the journal has %zu boot%s, boot %s%d is not one of them (boots are "
                                     "numbered %d to 0, or 1 to %zu)", n, n == 1 ? "" : "s",
                                     b->has_id ? "offset " : "", b->offset, 1 - (int) n, n);
                return r < 0 ? -ENOMEM : -ENXIO;
        }
        memcpy(ret, boots[idx].id, 33);
        return 0;
}

/* The kernel's messages and the daemon's kill entries, of boot_id ("" for all):
 * two groups of matches, OR'ed. */
static int add_matches(sd_journal *j, const char *boot_id, bool with_notes) {
        char boot[64];
        int r;

        sd_journal_flush_matches(j);
        (void) snprintf(boot, sizeof(boot), "_BOOT_ID=%s", boot_id);
        r = sd_journal_add_match(j, "_TRANSPORT=kernel", 0);
        if (r >= 0 && *boot_id)
                r = sd_journal_add_match(j, boot, 0);
        if (r >= 0 && with_notes)
                r = sd_journal_add_disjunction(j);
        if (r >= 0 && with_notes)
                r = sd_journal_add_match(j, "MESSAGE_ID=" EVENTS_KILL_NOTE_MESSAGE_ID, 0);
        if (r >= 0 && with_notes && *boot_id)
                r = sd_journal_add_match(j, boot, 0);
        return r < 0 ? r : 0;
}

int events_journal_open(const EventsJournalQuery *q, sd_journal **ret, char ret_boot_id[static 33],
                        char **ret_error) {
        sd_journal *j = NULL;
        int r;

        assert(q && ret && ret_error);

        *ret_error = NULL;
        ret_boot_id[0] = '\0';
        if (q->directory)
                r = sd_journal_open_directory(&j, q->directory, 0);
        else
                r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
        if (r < 0)
                return r;
        if (q->boot.set) {
                r = resolve_boot(j, &q->boot, ret_boot_id, ret_error);
                if (r < 0)
                        goto fail;
        }
        r = add_matches(j, ret_boot_id, false);
        if (r >= 0)
                r = sd_journal_seek_head(j);
        if (r >= 0)
                r = sd_journal_next(j);
        if (r < 0)
                goto fail;
        *ret = j;
        return r > 0;

fail:
        sd_journal_close(j);
        return r;
}

static int handle_entry(sd_journal *j, const EventsJournalSink *s, void *userdata) {
        _cleanup_free_ char *message_id = NULL, *message = NULL, *source_mono = NULL;
        OomMessageTime t = { OOM_TIME_UNSET, OOM_TIME_UNSET };
        char boot_id[33];
        sd_id128_t boot;
        uint64_t mono;
        int r;

        r = sd_journal_get_monotonic_usec(j, &mono, &boot);
        if (r < 0)
                return 0;       /* an entry without a boot cannot be placed */
        (void) sd_id128_to_string(boot, boot_id);
        r = get_field(j, "MESSAGE_ID", &message_id);
        if (r < 0)
                return r;
        if (message_id && streq(message_id, EVENTS_KILL_NOTE_MESSAGE_ID)) {
                _cleanup_free_ char *pid = NULL, *comm = NULL, *rule = NULL, *origin = NULL, *adj = NULL;

                r = get_field(j, "OOMPOLICY_VICTIM_PID", &pid);
                r = r ?: get_field(j, "OOMPOLICY_VICTIM_COMM", &comm);
                r = r ?: get_field(j, "OOMPOLICY_RULE", &rule);
                r = r ?: get_field(j, "OOMPOLICY_RULE_ORIGIN", &origin);
                r = r ?: get_field(j, "OOMPOLICY_RULE_OOM_SCORE_ADJ", &adj);
                if (r < 0)
                        return r;
                return s->note(userdata, boot_id, pid, comm, rule, origin, adj);
        }

        r = get_field(j, "MESSAGE", &message);
        if (r < 0 || !message)
                return r;
        (void) sd_journal_get_realtime_usec(j, &t.realtime_usec);
        /* The kernel's own stamp, which journald keeps beside its time of receipt. */
        r = get_field(j, "_SOURCE_MONOTONIC_TIMESTAMP", &source_mono);
        if (r < 0)
                return r;
        t.kernel_usec = mono;
        if (source_mono) {
                char *end;
                unsigned long long v;

                errno = 0;
                v = strtoull(source_mono, &end, 10);
                if (errno == 0 && *end == '\0' && end != source_mono)
                        t.kernel_usec = v;
        }
        return s->kernel(userdata, boot_id, message, &t);
}

int events_journal_read(sd_journal *j, const EventsJournalQuery *q, const char *boot_id, const EventsJournalSink *s,
                        void *userdata) {
        int r;

        assert(j && q && boot_id && s);

        r = add_matches(j, boot_id, true);
        if (r < 0)
                return r;
        r = q->since != OOM_TIME_UNSET ? sd_journal_seek_realtime_usec(j, q->since) : sd_journal_seek_head(j);
        if (r < 0)
                return r;
        for (;;) {
                uint64_t rt;

                r = sd_journal_next(j);
                if (r < 0)
                        return r;
                if (r == 0) {
                        if (!q->follow)
                                return 0;
                        r = sd_journal_wait(j, IDLE_USEC);
                        if (r < 0)
                                return r;
                        if (r == SD_JOURNAL_NOP) {
                                r = s->idle(userdata);
                                if (r < 0)
                                        return r;
                        }
                        continue;
                }
                if (sd_journal_get_realtime_usec(j, &rt) >= 0) {
                        if (q->since != OOM_TIME_UNSET && rt < q->since)
                                continue;
                        if (q->until != OOM_TIME_UNSET && rt > q->until)
                                return 0;
                }
                r = handle_entry(j, s, userdata);
                if (r < 0)
                        return r;
        }
}
