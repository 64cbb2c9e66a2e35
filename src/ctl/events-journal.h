/* SPDX-License-Identifier: MIT */
#pragma once

/* oompolicyctl events' journal source: the kernel's messages (_TRANSPORT=kernel)
 * and oompolicyd's kill entries, of all boots or of one, in a time range,
 * optionally followed. Hands each entry to the caller; knows nothing of
 * reports or output. */

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-journal.h>

#include "ctl/events-time.h"
#include "report/oom-event.h"

typedef struct EventsJournalQuery {
        const char *directory;    /* NULL: this machine's system journal */
        BootSpec boot;
        uint64_t since, until;    /* µs since the epoch, OOM_TIME_UNSET: open */
        bool follow;
} EventsJournalQuery;

typedef struct EventsJournalSink {
        /* A kernel message; boot_id is 32 hex digits. */
        int (*kernel)(void *userdata, const char *boot_id, const char *message, const OomMessageTime *t);
        /* An oompolicyd kill entry: its OOMPOLICY_* values, NULL where absent. */
        int (*note)(void *userdata, const char *boot_id, const char *pid, const char *comm, const char *rule,
                    const char *origin, const char *adj);
        /* --follow: the journal has been quiet for a while. */
        int (*idle)(void *userdata);
} EventsJournalSink;

/* Opens the journal and resolves --boot. Returns 1 when it has kernel messages
 * (of that boot), 0 when it has none (the caller may read /dev/kmsg instead),
 * -ENXIO (with *ret_error set) when --boot names a boot the journal does not
 * have, other negative errnos when it cannot be opened. */
int events_journal_open(const EventsJournalQuery *q, sd_journal **ret, char ret_boot_id[static 33],
                        char **ret_error);

/* Reads from the start (or --since) to the end (or --until), or for ever with
 * follow. boot_id: "" for all boots. Stops at the first failure of the sink. */
int events_journal_read(sd_journal *j, const EventsJournalQuery *q, const char *boot_id, const EventsJournalSink *s,
                        void *userdata);
