/* SPDX-License-Identifier: MIT */
#include "proc/proc-scan.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "shared/macro.h"
#include "shared/parse-util.h"

static int compare_pids(const void *a, const void *b) {
        pid_t x = *(const pid_t *) a, y = *(const pid_t *) b;

        return (x > y) - (x < y);
}

int proc_scan_pids(const RootFs *fs, int (*fn)(pid_t pid, void *userdata), void *userdata) {
        _cleanup_closedir_ DIR *d = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0, allocated = 0;
        struct dirent *de;
        int fd, r;

        assert(fs && fn);
        fd = openat(fs->proc_fd, ".", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        d = fdopendir(fd);
        if (!d) {
                r = negative_errno();
                (void) close(fd);
                return r;
        }
        /* Collect first, so that callbacks (which open files) don't race the directory stream. */
        while ((errno = 0, de = readdir(d))) {
                int pid;

                if (de->d_name[0] < '1' || de->d_name[0] > '9')
                        continue;
                if (parse_int_range(de->d_name, 1, INT32_MAX, &pid) < 0)
                        continue;
                if (n == allocated) {
                        size_t m = allocated ? allocated * 2 : 1024;
                        pid_t *grown = realloc(pids, m * sizeof(pid_t));

                        if (!grown)
                                return -ENOMEM;
                        pids = grown;
                        allocated = m;
                }
                pids[n++] = pid;
        }
        if (errno != 0)
                return negative_errno();
        /* qsort() must not see the NULL array of an empty /proc (a fake root). */
        if (n > 0)
                qsort(pids, n, sizeof(pid_t), compare_pids);
        for (size_t i = 0; i < n; i++) {
                r = fn(pids[i], userdata);
                if (r < 0)
                        return r;
        }
        return 0;
}
