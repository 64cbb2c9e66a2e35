/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/ctl.h"
#include "ctl/oom-event-output.h"
#include "report/oom-report.h"
#include "shared/string-util.h"

/* A quiet log for this long releases a kill still waiting for its oom_reaper line. */
#define IDLE_FLUSH_MSEC 1000

/* Where the kills go: --json gathers them into one array, printed at the end like
 * the documents of top and simulate; --json --follow cannot wait for an end, so
 * each kill is printed as a line of JSON as soon as its report is complete. */
typedef struct EventsOutput {
        const CtlOptions *options;
        json_object *array;       /* --json without --follow */
} EventsOutput;

static int print_event(const EventsOutput *out, const OomEvent *e) {
        const CtlOptions *o = out->options;

        if (o->json) {
                _cleanup_json_ json_object *j = oom_event_to_json(e, o->tasks);

                if (!j)
                        return -ENOMEM;
                if (out->array) {
                        /* On failure the object is still ours. */
                        if (json_object_array_add(out->array, j) < 0)
                                return -ENOMEM;
                        TAKE_PTR(j);
                        return 0;
                }
                /* JSON Lines: one object per line. */
                puts(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        } else {
                _cleanup_free_ char *line = oom_event_format_line(e);

                if (!line)
                        return -ENOMEM;
                puts(line);
        }
        return 0;
}

static int print_ready(OomReportParser *p, const EventsOutput *out) {
        OomEvent *e = NULL;
        int r;

        while ((r = oom_report_parser_pop(p, &e)) > 0) {
                /* A report that killed nothing is no kill. */
                r = e->has_kill ? print_event(out, e) : 0;
                oom_event_free(e);
                if (r < 0)
                        return r;
        }
        if (out->options->follow)
                (void) fflush(stdout);
        return r;
}

static int read_text(OomReportParser *p, FILE *f, const EventsOutput *out) {
        _cleanup_free_ char *line = NULL;
        size_t size = 0;
        ssize_t n;

        while ((n = getline(&line, &size, f)) >= 0) {
                int r;

                if (n > 0 && line[n - 1] == '\n')
                        line[n - 1] = '\0';
                r = oom_report_parser_feed_line(p, line);
                if (r >= 0)
                        r = print_ready(p, out);
                if (r < 0)
                        return r;
        }
        return ferror(f) ? -EIO : 0;
}

/* /dev/kmsg hands out one record per read(); EPIPE means records were overwritten
 * before we read them, which only loses old lines. */
static int read_kmsg(OomReportParser *p, const EventsOutput *out) {
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
        for (;;) {
                ssize_t n = read(fd, record, sizeof(record) - 1);

                if (n < 0 && errno == EPIPE)
                        continue;
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN) {
                        struct pollfd pfd = { .fd = fd, .events = POLLIN };

                        if (!out->options->follow)
                                return 0;
                        r = poll(&pfd, 1, IDLE_FLUSH_MSEC);
                        if (r < 0 && errno != EINTR)
                                return negative_errno();
                        if (r == 0) {
                                oom_report_parser_flush(p);
                                r = print_ready(p, out);
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
                r = oom_report_parser_feed_line(p, record);
                if (r >= 0)
                        r = print_ready(p, out);
                if (r < 0)
                        return r;
        }
}

int verb_events(const CtlOptions *o, int argc, char **argv) {
        _cleanup_oom_report_parser_free_ OomReportParser *p = NULL;
        _cleanup_json_ json_object *array = NULL;
        EventsOutput out = { .options = o };
        int r;

        r = oom_report_parser_new(&p);
        if (r < 0)
                return r;
        if (o->json && !o->follow) {
                array = out.array = json_object_new_array();
                if (!array)
                        return -ENOMEM;
        }

        if (!o->file)
                r = read_kmsg(p, &out);
        else if (streq(o->file, "-"))
                r = read_text(p, stdin, &out);
        else {
                _cleanup_fclose_ FILE *f = fopen(o->file, "re");

                if (!f) {
                        r = negative_errno();
                        fprintf(stderr, "Cannot open %s: %s\n", o->file, strerror(-r));
                        return r;
                }
                r = read_text(p, f, &out);
        }
        if (r < 0)
                fprintf(stderr, "Reading the kernel log failed: %s\n", strerror(-r));
        else {
                r = oom_report_parser_finish(p);
                if (r >= 0)
                        r = print_ready(p, &out);
        }
        /* The kills read before a failure are shown all the same, as the text
         * output shows them as they come. */
        if (array)
                ctl_print_json(array);
        return r < 0 ? r : 0;
}
