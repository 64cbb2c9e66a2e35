/* SPDX-License-Identifier: MIT */
#include "daemon/kernel-log.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A quiet log for this long releases a kill still waiting for its oom_reaper line. */
#define IDLE_FLUSH_USEC 1000000ULL
/* /dev/kmsg records are at most 8 KiB (CONSOLE_EXT_LOG_MAX) including the
 * dictionary; longer lines from a FIFO are cut, which only loses their tail. */
#define LINE_MAX_BYTES 8192
/* Bounded work per wakeup, so a log storm cannot starve process events. */
#define READS_PER_DISPATCH 256

struct KernelLogWatch {
        int fd;
        sd_event_source *io;
        sd_event_source *idle_flush;
        OomReportParser *parser;
        KernelLogKillFn fn;
        void *userdata;
        char line[LINE_MAX_BYTES + 1];
        size_t line_len;
        bool discarding;         /* the current line overflowed; skip to its newline */
        uint64_t overruns;
};

static void deliver_ready(KernelLogWatch *w) {
        OomEvent *e;

        while (oom_report_parser_pop(w->parser, &e) > 0) {
                /* A report in which the OOM killer found nothing to kill is no kill. */
                if (e->has_kill)
                        w->fn(e, w->userdata);
                oom_event_free(e);
        }
}

static int feed_line(KernelLogWatch *w) {
        int r;

        w->line[w->line_len] = '\0';
        r = oom_report_parser_feed_line(w->parser, w->line);
        w->line_len = 0;
        return r;
}

/* /dev/kmsg returns one whole record per read(), a FIFO any slice of the text:
 * splitting on newlines handles both (a record's dictionary lines start with a
 * blank, which the parser recognises as continuation). */
static int consume(KernelLogWatch *w, const char *buf, size_t n) {
        for (size_t i = 0; i < n; i++) {
                int r;

                if (buf[i] == '\n') {
                        if (w->discarding) {
                                w->discarding = false;
                                w->line_len = 0;
                                continue;
                        }
                        r = feed_line(w);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (w->discarding)
                        continue;
                if (w->line_len == LINE_MAX_BYTES) {
                        r = feed_line(w);
                        if (r < 0)
                                return r;
                        w->discarding = true;
                        continue;
                }
                w->line[w->line_len++] = buf[i] == '\0' ? ' ' : buf[i];
        }
        return 0;
}

static int on_idle_flush(sd_event_source *s, uint64_t usec, void *userdata) {
        KernelLogWatch *w = userdata;

        oom_report_parser_flush(w->parser);
        deliver_ready(w);
        return 0;
}

static void arm_idle_flush(KernelLogWatch *w) {
        (void) sd_event_source_set_time_relative(w->idle_flush, IDLE_FLUSH_USEC);
        (void) sd_event_source_set_enabled(w->idle_flush, SD_EVENT_ONESHOT);
}

static int on_readable(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        KernelLogWatch *w = userdata;
        char buf[LINE_MAX_BYTES];
        bool got_data = false;

        for (unsigned i = 0; i < READS_PER_DISPATCH; i++) {
                ssize_t n = read(fd, buf, sizeof(buf));

                if (n < 0 && errno == EPIPE) {
                        /* The ring buffer wrapped past us; the next read resumes at the oldest record. */
                        w->overruns++;
                        continue;
                }
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        break;
                if (n <= 0) {
                        /* EOF (the writer of a FIFO went away) or a hard error: the
                         * report in progress is complete as far as it will ever be. */
                        if (w->line_len > 0)
                                (void) feed_line(w);
                        (void) oom_report_parser_finish(w->parser);
                        deliver_ready(w);
                        return sd_event_source_set_enabled(s, SD_EVENT_OFF);
                }
                got_data = true;
                if (consume(w, buf, (size_t) n) < 0)
                        break;   /* out of memory: drop this chunk, keep following */
                deliver_ready(w);
        }
        if (got_data)
                arm_idle_flush(w);
        return 0;
}

int kernel_log_watch_new(sd_event *event, const char *path, KernelLogKillFn fn, void *userdata,
                         KernelLogWatch **ret) {
        _cleanup_(kernel_log_watch_freep) KernelLogWatch *w = NULL;
        struct stat st;
        int r;

        assert(event && path && fn && ret);
        w = calloc(1, sizeof(KernelLogWatch));
        if (!w)
                return -ENOMEM;
        w->fn = fn;
        w->userdata = userdata;
        /* A FIFO (tests) is opened for writing too, so that it never reads as EOF
         * between writers. */
        w->fd = open(path, (stat(path, &st) >= 0 && S_ISFIFO(st.st_mode) ? O_RDWR : O_RDONLY) | O_NONBLOCK |
                                   O_CLOEXEC | O_NOCTTY);
        if (w->fd < 0)
                return negative_errno();
        if (fstat(w->fd, &st) < 0)
                return negative_errno();
        /* For /dev/kmsg, SEEK_END means "from the next record on". */
        if (S_ISCHR(st.st_mode) && lseek(w->fd, 0, SEEK_END) < 0)
                return negative_errno();
        r = oom_report_parser_new(&w->parser);
        if (r < 0)
                return r;
        r = sd_event_add_io(event, &w->io, w->fd, EPOLLIN, on_readable, w);
        if (r < 0)
                return r;
        r = sd_event_add_time_relative(event, &w->idle_flush, CLOCK_MONOTONIC, IDLE_FLUSH_USEC, 0, on_idle_flush, w);
        if (r < 0)
                return r;
        r = sd_event_source_set_enabled(w->idle_flush, SD_EVENT_OFF);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(w);
        return 0;
}

KernelLogWatch *kernel_log_watch_free(KernelLogWatch *w) {
        if (!w)
                return NULL;
        sd_event_source_disable_unref(w->io);
        sd_event_source_disable_unref(w->idle_flush);
        oom_report_parser_free(w->parser);
        if (w->fd >= 0)
                (void) close(w->fd);
        free(w);
        return NULL;
}

uint64_t kernel_log_watch_overruns(const KernelLogWatch *w) {
        return w ? w->overruns : 0;
}
