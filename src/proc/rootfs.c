/* SPDX-License-Identifier: MIT */
#include "proc/rootfs.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shared/parse-util.h"

RootFs *rootfs_free(RootFs *fs) {
        if (!fs)
                return NULL;
        closep(&fs->root_fd);
        closep(&fs->proc_fd);
        closep(&fs->sys_fd);
        free(fs->path);
        free(fs);
        return NULL;
}

int rootfs_open(const char *path, RootFs **ret) {
        _cleanup_rootfs_ RootFs *fs = NULL;

        assert(ret);
        fs = calloc(1, sizeof(*fs));
        if (!fs)
                return -ENOMEM;
        fs->root_fd = fs->proc_fd = fs->sys_fd = -EBADF;
        fs->path = strdup(path ?: "/");
        if (!fs->path)
                return -ENOMEM;

        fs->root_fd = open(fs->path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (fs->root_fd < 0)
                return negative_errno();
        fs->proc_fd = openat(fs->root_fd, "proc", O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fs->proc_fd < 0)
                return negative_errno();
        /* A container may hide /proc/sys; process handling still works without it. */
        fs->sys_fd = openat(fs->proc_fd, "sys", O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fs->sys_fd < 0)
                fs->sys_fd = -EBADF;

        *ret = TAKE_PTR(fs);
        return 0;
}

int proc_pid_open(const RootFs *fs, pid_t pid, int *ret_fd) {
        char name[32];
        int fd;

        assert(fs && ret_fd);
        if (pid <= 0)
                return -EINVAL;
        (void) snprintf(name, sizeof(name), "%d", (int) pid);
        fd = openat(fs->proc_fd, name, O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return errno == ENOENT ? -ESRCH : negative_errno();
        *ret_fd = fd;
        return 0;
}

int read_small_file_at(int dir_fd, const char *name, size_t max, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        int r;

        assert(name && ret);
        fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        buf = malloc(max + 1);
        if (!buf)
                return -ENOMEM;
        r = read_small_fd(fd, buf, max + 1, ret_len);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(buf);
        return 0;
}

int read_small_fd(int fd, char *buf, size_t size, size_t *ret_len) {
        ssize_t n;

        assert(buf);
        assert(size > 0);
        /* One read only: /proc regenerates a value file's text on every read(), so a
         * second read at the old offset could splice the tail of a newer value onto
         * the first ("0\n" + "0\n" out of "300\n"). Every file read here fits. */
        do
                n = pread(fd, buf, size - 1, 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return negative_errno();
        buf[n] = '\0';
        if (ret_len)
                *ret_len = (size_t) n;
        return 0;
}

int write_string_at(int dir_fd, const char *name, const char *value) {
        _cleanup_close_ int fd = -EBADF;

        assert(name && value);
        fd = openat(dir_fd, name, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        return write_string_fd(fd, value);
}

int write_string_fd(int fd, const char *value) {
        size_t len;
        ssize_t n;

        assert(value);
        len = strlen(value);
        n = pwrite(fd, value, len, 0);
        if (n < 0)
                return negative_errno();
        if ((size_t) n != len)
                return -EIO;
        /* A no-op on /proc, where the value is set by now whatever this returns (an
         * LSM may refuse truncation); a regular file (a fake tree in tests) must not
         * keep the tail of a longer earlier value. */
        (void) !ftruncate(fd, (off_t) len);
        return 0;
}

int sysctl_read_int64(const RootFs *fs, const char *path, int64_t *ret) {
        _cleanup_free_ char *buf = NULL;
        int r;

        assert(fs && path);
        if (fs->sys_fd < 0)
                return -ENOENT;
        r = read_small_file_at(fs->sys_fd, path, 64, &buf, NULL);
        if (r < 0)
                return r;
        r = parse_int64_range(buf, INT64_MIN, INT64_MAX, ret);
        return r < 0 ? -EBADMSG : 0;
}

int sysctl_write_int64(const RootFs *fs, const char *path, int64_t value) {
        char buf[32];

        assert(fs && path);
        if (fs->sys_fd < 0)
                return -ENOENT;
        (void) snprintf(buf, sizeof(buf), "%" PRId64 "\n", value);
        return write_string_at(fs->sys_fd, path, buf);
}
