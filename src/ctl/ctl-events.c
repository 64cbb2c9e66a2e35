/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-id128.h>
#include <unistd.h>

#include "ctl/ctl.h"
#include "ctl/events-join.h"
#include "ctl/events-journal.h"
#include "ctl/oom-event-output.h"
#include "report/oom-report.h"
#include "shared/string-util.h"
#include "shared/time-util.h"

/* A quiet log for this long releases a kill still waiting for its oom_reaper line. */
#define IDLE_FLUSH_MSEC 1000

typedef struct Held {
        OomEvent *event;
        char boot_id[33];         /* "" unless from the journal */
} Held;

/* One run of events. Kills are held until the log is quiet (--follow) or at
 * its end, so that oompolicyd's kill entry, logged just after the kernel's
 * report, can be joined to them. --json gathers them into one array, printed
 * at the end like the documents of top and simulate; --json --follow cannot
 * wait for an end, so each kill is printed as a line of JSON. */
typedef struct Events {
        const CtlOptions *options;
        const char *source;       /* "journal", "kmsg" or "file" */
        OomReportParser *parser;
        json_object *array;       /* --json without --follow */
        Held *held;
        size_t n_held, allocated_held;
        KillNotes notes;
        char boot_id[33];         /* journal: the boot of the messages being parsed */
        uint64_t boot_realtime;   /* kmsg: the wall clock at the kernel's time 0 */
} Events;

static void events_done(Events *ev) {
        for (size_t i = 0; i < ev->n_held; i++)
                oom_event_free(ev->held[i].event);
        free(ev->held);
        kill_notes_done(&ev->notes);
        oom_report_parser_free(ev->parser);
        json_object_put(ev->array);
}

static int print_event(Events *ev, const OomEvent *e, const OomEventContext *c) {
        const CtlOptions *o = ev->options;

        if (o->json) {
                _cleanup_json_ json_object *j = oom_event_to_json(e, c, o->tasks);

                if (!j)
                        return -ENOMEM;
                if (ev->array) {
                        /* On failure the object is still ours. */
                        if (json_object_array_add(ev->array, j) < 0)
                                return -ENOMEM;
                        TAKE_PTR(j);
                        return 0;
                }
                /* JSON Lines: one object per line. */
                puts(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        } else {
                _cleanup_free_ char *line = oom_event_format_line(e, c);

                if (!line)
                        return -ENOMEM;
                puts(line);
        }
        return 0;
}

/* Prints every held kill, with the daemon's rule where its entry was seen. */
static int release(Events *ev) {
        int r = 0;

        for (size_t i = 0; i < ev->n_held; i++) {
                Held *h = &ev->held[i];
                const KillNote *note = *h->boot_id ? kill_notes_join(&ev->notes, h->boot_id, h->event) : NULL;
                OomEventContext c = {
                        .source = ev->source,
                        .boot_id = *h->boot_id ? h->boot_id : NULL,
                        .rule = note ? &note->rule : NULL,
                };

                if (r >= 0)
                        r = print_event(ev, h->event, &c);
                h->event = oom_event_free(h->event);
        }
        ev->n_held = 0;
        if (ev->options->follow)
                (void) fflush(stdout);
        return r;
}

static bool wanted(const Events *ev, const OomEvent *e) {
        const CtlOptions *o = ev->options;
        uint64_t t = e->time.realtime_usec;

        if (!e->has_kill && !o->all)
                return false;
        /* An event of unknown time cannot be shown to fall in the range. */
        if (o->since != OOM_TIME_UNSET && (t == OOM_TIME_UNSET || t < o->since))
                return false;
        if (o->until != OOM_TIME_UNSET && (t == OOM_TIME_UNSET || t > o->until))
                return false;
        return true;
}

/* Takes the completed events out of the parser and holds the wanted ones. */
static int take_ready(Events *ev) {
        OomEvent *e = NULL;
        int r;

        while ((r = oom_report_parser_pop(ev->parser, &e)) > 0) {
                if (ev->boot_realtime != OOM_TIME_UNSET && e->time.realtime_usec == OOM_TIME_UNSET &&
                    e->time.kernel_usec != OOM_TIME_UNSET)
                        e->time.realtime_usec = ev->boot_realtime + e->time.kernel_usec;
                if (!wanted(ev, e)) {
                        oom_event_free(e);
                        continue;
                }
                if (ev->n_held >= ev->allocated_held) {
                        size_t a = ev->allocated_held ? ev->allocated_held * 2 : 16;
                        Held *p = reallocarray(ev->held, a, sizeof(*p));

                        if (!p) {
                                oom_event_free(e);
                                return -ENOMEM;
                        }
                        ev->held = p;
                        ev->allocated_held = a;
                }
                ev->held[ev->n_held].event = e;
                memcpy(ev->held[ev->n_held].boot_id, ev->boot_id, sizeof(ev->boot_id));
                ev->n_held++;
        }
        /* Without the journal there is nothing to join: print as they come. */
        return r < 0 ? r : streq(ev->source, "journal") ? 0 : release(ev);
}

static int feed_line(Events *ev, const char *line) {
        int r = oom_report_parser_feed_line(ev->parser, line);

        return r < 0 ? r : take_ready(ev);
}

static int read_text(Events *ev, FILE *f) {
        _cleanup_free_ char *line = NULL;
        size_t size = 0;
        ssize_t n;

        while ((n = getline(&line, &size, f)) >= 0) {
                int r;

                if (n > 0 && line[n - 1] == '\n')
                        line[n - 1] = '\0';
                r = feed_line(ev, line);
                if (r < 0)
                        return r;
        }
        return ferror(f) ? -EIO : 0;
}

static int on_idle(void *userdata) {
        Events *ev = userdata;
        int r;

        oom_report_parser_flush(ev->parser);
        r = take_ready(ev);
        return r < 0 ? r : release(ev);
}

/* /dev/kmsg hands out one record per read(); EPIPE means records were overwritten
 * before we read them, which only loses old lines. */
static int read_kmsg(Events *ev) {
        _cleanup_close_ int fd = -EBADF;
        char record[8192];
        int r;

        fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                r = negative_errno();
                fprintf(stderr, "Cannot open /dev/kmsg: %s%s\n", strerror(-r),
                        r == -EPERM || r == -EACCES ? " (reading the kernel log needs root or CAP_SYSLOG)" : "");
                return r;
        }
        /* The kernel stamps its messages with the monotonic clock, as journald
         * assumes too. */
        ev->boot_realtime = now_usec(CLOCK_REALTIME) - now_usec(CLOCK_MONOTONIC);
        for (;;) {
                ssize_t n = read(fd, record, sizeof(record) - 1);

                if (n < 0 && errno == EPIPE)
                        continue;
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN) {
                        struct pollfd pfd = { .fd = fd, .events = POLLIN };

                        if (!ev->options->follow)
                                return 0;
                        r = poll(&pfd, 1, IDLE_FLUSH_MSEC);
                        if (r < 0 && errno != EINTR)
                                return negative_errno();
                        if (r == 0) {
                                r = on_idle(ev);
                                if (r < 0)
                                        return r;
                        }
                        continue;
                }
                if (n < 0)
                        return negative_errno();
                record[n] = '\0';
                if (n > 0 && record[n - 1] == '\n')
                        record[n - 1] = '\0';
                r = feed_line(ev, record);
                if (r < 0)
                        return r;
        }
}

static int on_kernel(void *userdata, const char *boot_id, const char *message, const OomMessageTime *t) {
        Events *ev = userdata;
        char stamp[32];
        int r;

        /* A report does not go on across a reboot: close the one in progress. */
        if (!streq(ev->boot_id, boot_id)) {
                r = oom_report_parser_finish(ev->parser);
                if (r >= 0)
                        r = take_ready(ev);
                if (r < 0)
                        return r;
                memcpy(ev->boot_id, boot_id, sizeof(ev->boot_id));
        }
        /* The stamp as dmesg shows it, for the text line. */
        if (t->kernel_usec != OOM_TIME_UNSET)
                (void) snprintf(stamp, sizeof(stamp), "%llu.%06llu", (unsigned long long) (t->kernel_usec / 1000000),
                                (unsigned long long) (t->kernel_usec % 1000000));
        r = oom_report_parser_feed_message(ev->parser, message, t->kernel_usec != OOM_TIME_UNSET ? stamp : NULL, t);
        return r < 0 ? r : take_ready(ev);
}

static int on_note(void *userdata, const char *boot_id, const char *pid, const char *comm, const char *rule,
                   const char *origin, const char *adj) {
        Events *ev = userdata;
        int r = kill_notes_add(&ev->notes, boot_id, pid, comm, rule, origin, adj);

        /* An entry that cannot be joined (no pid) is no reason to stop. */
        return r == -EINVAL ? 0 : r;
}

/* --boot without the journal: /dev/kmsg holds this boot only. */
static bool boot_is_current(const BootSpec *b) {
        sd_id128_t id;
        char s[33];

        if (!b->set || (!b->has_id && b->offset == 0))
                return true;
        if (!b->has_id || b->offset != 0 || sd_id128_get_boot(&id) < 0)
                return false;
        return streq(sd_id128_to_string(id, s), b->id);
}

static void print_source(const Events *ev, const char *what) {
        if (!ev->options->json)
                fprintf(stderr, "-- Source: %s\n", what);
}

static int read_journal_or_kmsg(Events *ev) {
        const CtlOptions *o = ev->options;
        EventsJournalQuery q = {
                .directory = o->directory, .boot = o->boot, .since = o->since, .until = o->until, .follow = o->follow,
        };
        static const EventsJournalSink sink = { .kernel = on_kernel, .note = on_note, .idle = on_idle };
        _cleanup_free_ char *error = NULL, *what = NULL;
        char boot_id[33];
        sd_journal *j = NULL;
        int r;

        r = events_journal_open(&q, &j, boot_id, &error);
        if (r == -ENXIO) {
                fprintf(stderr, "--boot: %s\n", error ?: "no such boot");
                return r;
        }
        if (r < 0 && o->directory) {
                fprintf(stderr, "Cannot open the journal in %s: %s\n", o->directory, strerror(-r));
                return r;
        }
        if (r > 0 || (r == 0 && o->directory)) {
                ev->source = "journal";
                if (asprintf(&what, "journal%s%s, %s%s", o->directory ? " in " : "", o->directory ?: "",
                             *boot_id ? "boot " : "all boots", boot_id) < 0) {
                        sd_journal_close(j);
                        return -ENOMEM;
                }
                print_source(ev, what);
                r = events_journal_read(j, &q, boot_id, &sink, ev);
                sd_journal_close(j);
                return r;
        }
        if (j)
                sd_journal_close(j);
        if (!boot_is_current(&o->boot)) {
                fprintf(stderr, "--boot: no journal with kernel messages here, and /dev/kmsg holds this boot only\n");
                return -ENXIO;
        }
        ev->source = "kmsg";
        print_source(ev, "/dev/kmsg (no journal with kernel messages here)");
        return read_kmsg(ev);
}

int verb_events(const CtlOptions *o, int argc, char **argv) {
        Events ev = { .options = o, .boot_realtime = OOM_TIME_UNSET };
        int r;

        r = oom_report_parser_new(&ev.parser);
        if (r < 0)
                return r;
        if (o->json && !o->follow) {
                ev.array = json_object_new_array();
                if (!ev.array) {
                        events_done(&ev);
                        return -ENOMEM;
                }
        }

        if (!o->file)
                r = read_journal_or_kmsg(&ev);
        else {
                ev.source = "file";
                if (streq(o->file, "-"))
                        r = read_text(&ev, stdin);
                else {
                        _cleanup_fclose_ FILE *f = fopen(o->file, "re");

                        if (!f) {
                                r = negative_errno();
                                fprintf(stderr, "Cannot open %s: %s\n", o->file, strerror(-r));
                                events_done(&ev);
                                return r;
                        }
                        r = read_text(&ev, f);
                }
        }
        /* -ENXIO: a boot that is not there, said already. */
        if (r < 0 && r != -ENXIO)
                fprintf(stderr, "Reading the kernel log failed: %s\n", strerror(-r));
        else if (r >= 0) {
                r = oom_report_parser_finish(ev.parser);
                if (r >= 0)
                        r = take_ready(&ev);
        }
        /* The kills read before a failure are shown all the same, as the text
         * output shows them as they come. */
        if (ev.source) {
                int k = release(&ev);

                r = r < 0 ? r : k;
        }
        if (ev.array)
                ctl_print_json(ev.array);
        events_done(&ev);
        return r < 0 ? r : 0;
}
