/* SPDX-License-Identifier: MIT */
#include "daemon/log.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

static const char *const target_names[_LOG_TARGET_MAX] = {
        [LOG_TARGET_AUTO] = "auto",
        [LOG_TARGET_JOURNAL] = "journal",
        [LOG_TARGET_CONSOLE] = "console",
};

LogTarget log_target_from_string(const char *s) {
        assert(s);
        for (LogTarget t = 0; t < _LOG_TARGET_MAX; t++)
                if (strcmp(s, target_names[t]) == 0)
                        return t;
        return -EINVAL;
}

const char *log_target_to_string(LogTarget t) {
        return t >= 0 && t < _LOG_TARGET_MAX ? target_names[t] : NULL;
}

/* systemd sets JOURNAL_STREAM=DEV:INODE when stderr goes to the journal. */
static bool stderr_is_journal(void) {
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;

        if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
                return false;
        if (fstat(STDERR_FILENO, &st) < 0)
                return false;
        return (unsigned long long) st.st_dev == dev && (unsigned long long) st.st_ino == ino;
}

void logger_init(Logger *l, LogTarget target, int max_level) {
        assert(l);
        if (target == LOG_TARGET_AUTO)
                target = stderr_is_journal() ? LOG_TARGET_JOURNAL : LOG_TARGET_CONSOLE;
        l->target = target;
        l->max_level = max_level;
}

/* A message is one line whatever it quotes: a process name may hold any byte but NUL,
 * and one with a newline must not start a line of its own, e.g. a forged log entry. */
static void escape_control_chars(const char *in, char *out, size_t size) {
        size_t o = 0;

        for (const unsigned char *p = (const unsigned char *) in; *p && o + 5 < size; p++) {
                if (*p < 0x20 || *p == 0x7f)
                        o += (size_t) snprintf(out + o, size - o, "\\x%02x", *p);
                else
                        out[o++] = (char) *p;
        }
        out[o] = '\0';
}

/* error: a negative errno that %m in fmt names (and ERRNO= carries), or 0. */
_printf_(5, 0)
static void log_va(const Logger *l, int level, int error, const LogFields *f, const char *fmt, va_list ap) {
        char raw[2048], message[2048];
        int saved_errno = errno;

        if (level > l->max_level)
                return;
        errno = error < 0 ? -error : error;
        (void) vsnprintf(raw, sizeof(raw), fmt, ap);
        errno = saved_errno;
        escape_control_chars(raw, message, sizeof(message));

        if (l->target == LOG_TARGET_JOURNAL) {
                char fields[20][512];
                struct iovec iov[20];
                size_t n = 0;

#define ADD(...)                                                                          \
                do {                                                                      \
                        int len_ = snprintf(fields[n], sizeof(fields[n]), __VA_ARGS__);   \
                        if (len_ > 0) {                                                   \
                                iov[n].iov_base = fields[n];                              \
                                iov[n].iov_len = MIN((size_t) len_, sizeof(fields[n]) - 1); \
                                n++;                                                      \
                        }                                                                 \
                } while (0)

                ADD("MESSAGE=%s", message);
                ADD("PRIORITY=%d", level);
                ADD("SYSLOG_IDENTIFIER=oompolicyd");
                if (f && f->message_id)
                        ADD("MESSAGE_ID=%s", f->message_id);
                if (error != 0)
                        ADD("ERRNO=%d", error < 0 ? -error : error);
                if (f && f->pid > 0)
                        ADD("OOMPOLICY_PID=%d", (int) f->pid);
                if (f && f->comm)
                        ADD("OOMPOLICY_COMM=%s", f->comm);
                if (f && f->rule)
                        ADD("OOMPOLICY_RULE=%s", f->rule);
                for (size_t i = 0; f && i < ELEMENTSOF(f->extra) && f->extra[i] && n < ELEMENTSOF(iov); i++)
                        ADD("%s", f->extra[i]);
#undef ADD
                if (sd_journal_sendv(iov, (int) n) >= 0)
                        return;
                /* Journal gone (e.g. during shutdown): fall through to stderr. */
        }
        fprintf(stderr, "oompolicyd: %s\n", message);
}

void log_structured(const Logger *l, int level, const LogFields *f, const char *fmt, ...) {
        va_list ap;

        assert(l && fmt);
        va_start(ap, fmt);
        log_va(l, level, 0, f, fmt, ap);
        va_end(ap);
}

int log_structured_errno(const Logger *l, int level, int error, const LogFields *f, const char *fmt, ...) {
        va_list ap;

        assert(l && fmt);
        va_start(ap, fmt);
        log_va(l, level, error, f, fmt, ap);
        va_end(ap);
        return error < 0 ? error : -error;
}
