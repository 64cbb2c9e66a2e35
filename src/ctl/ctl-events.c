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

/* A quiet log for this long releases a kill still waiting for its oom_reaper line. */
#define IDLE_FLUSH_MSEC 1000

static int print_ready(OomReportParser *p, const CtlOptions *o) {
        OomEvent *e = NULL;
        int r;

        while ((r = oom_report_parser_pop(p, &e)) > 0) {
                if (o->json) {
                        json_object *j = oom_event_to_json(e, o->tasks);

                        if (!j) {
                                oom_event_free(e);
                                return -ENOMEM;
                        }
                        /* JSON Lines: one object per line. */
                        puts(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
                        json_object_put(j);
                } else {
                        _cleanup_free_ char *line = oom_event_format_line(e);

                        if (!line) {
                                oom_event_free(e);
                                return -ENOMEM;
                        }
                        puts(line);
                }
                oom_event_free(e);
        }
        if (o->follow)
                (void) fflush(stdout);
        return r;
}

static int read_text(OomReportParser *p, FILE *f, const CtlOptions *o) {
        _cleanup_free_ char *line = NULL;
        size_t size = 0;
        ssize_t n;

        while ((n = getline(&line, &size, f)) >= 0) {
                int r;

                if (n > 0 && line[n - 1] == '\n')
                        line[n - 1] = '\0';
                r = oom_report_parser_feed_line(p, line);
                if (r >= 0)
                        r = print_ready(p, o);
                if (r < 0)
                        return r;
        }
        return ferror(f) ? -EIO : 0;
}

/* /dev/kmsg hands out one record per read(); EPIPE means records were overwritten
 * before we read them, which only loses old lines. */
static int read_kmsg(OomReportParser *p, const CtlOptions *o) {
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

                        if (!o->follow)
                                return 0;
                        r = poll(&pfd, 1, IDLE_FLUSH_MSEC);
                        if (r < 0 && errno != EINTR)
                                return negative_errno();
                        if (r == 0) {
                                oom_report_parser_flush(p);
                                r = print_ready(p, o);
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
                        r = print_ready(p, o);
                if (r < 0)
                        return r;
        }
}

int verb_events(const CtlOptions *o, int argc, char **argv) {
        _cleanup_oom_report_parser_free_ OomReportParser *p = NULL;
        int r;

        r = oom_report_parser_new(&p);
        if (r < 0)
                return r;

        if (!o->file)
                r = read_kmsg(p, o);
        else if (strcmp(o->file, "-") == 0)
                r = read_text(p, stdin, o);
        else {
                _cleanup_fclose_ FILE *f = fopen(o->file, "re");

                if (!f) {
                        r = negative_errno();
                        fprintf(stderr, "Cannot open %s: %s\n", o->file, strerror(-r));
                        return r;
                }
                r = read_text(p, f, o);
        }
        if (r < 0) {
                fprintf(stderr, "Reading the kernel log failed: %s\n", strerror(-r));
                return r;
        }
        r = oom_report_parser_finish(p);
        if (r >= 0)
                r = print_ready(p, o);
        return r < 0 ? r : 0;
}
