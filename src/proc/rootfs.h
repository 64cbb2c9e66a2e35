/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "shared/macro.h"

/* The one door to the machine's /proc and /proc/sys. Everything that reads or
 * writes kernel state goes through directory fds held here, so the root can be a
 * fake tree in a temp dir for tests ("ROOT/proc/PID/...", "ROOT/proc/sys/..."). */
typedef struct RootFs {
        char *path;     /* "/" for the real machine */
        int root_fd;
        int proc_fd;
        int sys_fd;     /* ROOT/proc/sys; -EBADF when absent */
} RootFs;

int rootfs_open(const char *path, RootFs **ret);
RootFs *rootfs_free(RootFs *fs);
DEFINE_TRIVIAL_CLEANUP_FUNC(RootFs *, rootfs_free);
#define _cleanup_rootfs_ _cleanup_(rootfs_freep)

/* Opens ROOT/proc/PID as a directory. Every later read or write of that process
 * goes through this fd: if the process exits, they fail with ESRCH instead of
 * reaching a new process that got the same PID. -ESRCH when there is no such process. */
int proc_pid_open(const RootFs *fs, pid_t pid, int *ret_fd);

/* Reads a small file below a directory fd in a single read() (at most max bytes,
 * NUL-terminated): for /proc files that is the only way to get one consistent value. */
int read_small_file_at(int dir_fd, const char *name, size_t max, char **ret, size_t *ret_len);
/* The same for an open fd, from offset 0, into buf of size bytes (NUL-terminated). */
int read_small_fd(int fd, char *buf, size_t size, size_t *ret_len);
/* Writes a short string to an existing file below dir_fd; the kernel's error comes back as -errno. */
int write_string_at(int dir_fd, const char *name, const char *value);
/* The same for an open fd, at offset 0; the file ends after the string. */
int write_string_fd(int fd, const char *value);

/* sysctl access by /proc/sys-relative path ("vm/overcommit_memory"). */
int sysctl_read_int64(const RootFs *fs, const char *path, int64_t *ret);
int sysctl_write_int64(const RootFs *fs, const char *path, int64_t value);
