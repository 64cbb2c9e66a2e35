/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <syslog.h>

#include "shared/macro.h"

typedef enum LogTarget {
        LOG_TARGET_AUTO,      /* journal when stderr is connected to it or under systemd, else console */
        LOG_TARGET_JOURNAL,
        LOG_TARGET_CONSOLE,
        _LOG_TARGET_MAX,
} LogTarget;

/* Owned by the daemon's Manager; no process-wide logging state. */
typedef struct Logger {
        LogTarget target;     /* resolved: never AUTO after logger_init() */
        int max_level;
} Logger;

/* MESSAGE_IDs, one per kind of message, so journalctl MESSAGE_ID=... finds them. */
#define MESSAGE_ID_STARTED "0b8f6a5e3c1d4e7fa2b9c4d5e6f70801"
#define MESSAGE_ID_APPLIED "0b8f6a5e3c1d4e7fa2b9c4d5e6f70802"
#define MESSAGE_ID_APPLY_FAILED "0b8f6a5e3c1d4e7fa2b9c4d5e6f70803"
#define MESSAGE_ID_RESTORED "0b8f6a5e3c1d4e7fa2b9c4d5e6f70804"
#define MESSAGE_ID_RELOADED "0b8f6a5e3c1d4e7fa2b9c4d5e6f70805"
#define MESSAGE_ID_RELOAD_FAILED "0b8f6a5e3c1d4e7fa2b9c4d5e6f70806"
#define MESSAGE_ID_OVERFLOW "0b8f6a5e3c1d4e7fa2b9c4d5e6f70807"
#define MESSAGE_ID_SYSCTL "0b8f6a5e3c1d4e7fa2b9c4d5e6f70808"
#define MESSAGE_ID_CAPABILITIES "0b8f6a5e3c1d4e7fa2b9c4d5e6f70809"
#define MESSAGE_ID_OOM_KILL "0b8f6a5e3c1d4e7fa2b9c4d5e6f7080a"
#define MESSAGE_ID_STOPPED "0b8f6a5e3c1d4e7fa2b9c4d5e6f7080b"

/* Structured fields attached to a message; unset members are omitted. */
typedef struct LogFields {
        const char *message_id;
        pid_t pid;
        const char *comm;
        const char *rule;
        const char *extra[12];  /* "KEY=value" journal fields, NULL-terminated */
} LogFields;

void logger_init(Logger *l, LogTarget target, int max_level);
LogTarget log_target_from_string(const char *s);
const char *log_target_to_string(LogTarget t);

void log_structured(const Logger *l, int level, const LogFields *f, const char *fmt, ...) _printf_(4, 5);
#define log_msg(l, level, ...) log_structured((l), (level), NULL, __VA_ARGS__)
/* The systemd way to log a failure: error is a negative errno, which "%m" in fmt
 * names and the journal gets as ERRNO=. Returns error, so that
 * "return log_msg_errno(l, LOG_ERR, r, ...);" logs and fails in one step. */
int log_structured_errno(const Logger *l, int level, int error, const LogFields *f, const char *fmt, ...)
        _printf_(5, 6);
#define log_msg_errno(l, level, error, ...) log_structured_errno((l), (level), (error), NULL, __VA_ARGS__)
