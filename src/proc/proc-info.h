/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "shared/macro.h"

#define PROC_COMM_MAX 16  /* TASK_COMM_LEN: 15 characters + NUL */

/* Which optional fields to read; the daemon reads only what the policy can use. */
typedef enum ProcField {
        PROC_FIELD_UID = 1u << 0,
        PROC_FIELD_EXE = 1u << 1,
        PROC_FIELD_CMDLINE = 1u << 2,
        PROC_FIELD_CGROUP = 1u << 3,
        PROC_FIELD_ALL = (1u << 4) - 1,
} ProcField;

/* What the policy matcher and the inspection tools know about one process. */
typedef struct ProcInfo {
        pid_t pid;
        pid_t ppid;
        char state;               /* 'R', 'S', 'Z', ... */
        unsigned flags;           /* task flags (PF_*) from stat */
        uint64_t start_time;      /* clock ticks since boot */
        char comm[PROC_COMM_MAX];
        int oom_score_adj;

        unsigned fields;          /* ProcField bits that were read successfully */
        uid_t uid;                /* real uid */
        char *exe;                /* resolved executable, " (deleted)" removed; NULL when unknown */
        char *argv0;              /* first word of the command line */
        char *cmdline;            /* argv joined by single spaces */
        char *cgroup;             /* v2 path, or the v1 name=systemd path */
} ProcInfo;

void proc_info_done(ProcInfo *info);

bool proc_info_is_kernel_thread(const ProcInfo *info);
bool proc_info_is_zombie(const ProcInfo *info);

/* The names a `name` glob is matched against: the comm, and when the comm is 15
 * characters long (possibly cut by the kernel) also the basenames of the
 * executable and of argv[0] that begin with those 15 characters. Returns how
 * many entries of names[3] were filled; pointers refer into info. */
size_t proc_info_names(const ProcInfo *info, const char *names[3]);

/* Pure parsers of /proc/PID files, for tests and fuzzing. -EBADMSG on malformed input. */
int proc_parse_stat(const char *buf, ProcInfo *info);
/* /proc/PID/comm: the name (any bytes but NUL, newlines included) and a newline;
 * longer names (workqueue workers) are cut to 15 characters, as in stat. */
int proc_parse_comm(const char *buf, char comm[static PROC_COMM_MAX]);
int proc_parse_status_uid(const char *buf, uid_t *ret);
/* Picks the cgroup path to match: the v2 ("0::") path, except on a legacy
 * hierarchy where that is "/" and a name=systemd line gives the real placement. */
int proc_parse_cgroup(const char *buf, char **ret);
/* Finds the path of one v1 controller ("memory"), or the v2 path when controller is NULL. */
int proc_parse_cgroup_controller(const char *buf, const char *controller, char **ret);
/* argv is NUL-separated; returns it joined by spaces and argv[0] separately. */
int proc_parse_cmdline(const char *buf, size_t len, char **ret_cmdline, char **ret_argv0);

/* Reads the process behind pid_fd (from proc_pid_open()). Always reads stat and
 * oom_score_adj; the fields in `want` as far as they are readable. -ESRCH when the
 * process is gone. */
int proc_read_info(int pid_fd, pid_t pid, unsigned want, ProcInfo *ret);
/* The two halves of proc_read_info(): stat and oom_score_adj only (two reads),
 * then the optional fields in `want` not read yet, so a caller can decide from
 * the name whether the rest is worth reading. */
int proc_read_basic(int pid_fd, pid_t pid, ProcInfo *ret);
int proc_read_fields(int pid_fd, unsigned want, ProcInfo *io);
/* stat alone (pid, ppid, state, flags, start time, comm). */
int proc_read_stat(int pid_fd, pid_t pid, ProcInfo *ret);
/* comm alone: the cheapest way to learn whether any rule can name the process
 * (stat costs several times more to generate). */
int proc_read_comm(int pid_fd, char comm[static PROC_COMM_MAX]);
int proc_read_oom_score_adj(int pid_fd, int *ret);
int proc_write_oom_score_adj(int pid_fd, int value);
/* Opens oom_score_adj for reading and writing and reads the value, so that a
 * write after the decision needs no second open. When the file cannot be opened
 * for writing, *ret_fd is that error (-EACCES, ...) and the value comes from a
 * read-only open. -ESRCH when the process is gone. */
int proc_open_oom_score_adj(int pid_fd, int *ret_fd, int *ret_value);
int proc_write_oom_score_adj_fd(int adj_fd, int value);
