/* SPDX-License-Identifier: MIT */
/* Integration test helper: a process that renames itself and then waits.
 *
 *   oomtest-rename NAME [SECONDS]
 *
 * Sets its comm to NAME with prctl(PR_SET_NAME) (the kernel keeps the first 15
 * bytes; any byte but NUL is allowed, newlines included), then sleeps SECONDS
 * (default 300) or until killed. This is what an unprivileged user can do to
 * any process of its own, so the daemon must never trust the name alone. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

int main(int argc, char **argv) {
        struct timespec left = { .tv_sec = 300 };

        if (argc < 2 || argc > 3) {
                fprintf(stderr, "Usage: oomtest-rename NAME [SECONDS]\n");
                return 2;
        }
        if (argc == 3) {
                char *end;
                long s;

                errno = 0;
                s = strtol(argv[2], &end, 10);
                if (errno != 0 || end == argv[2] || *end || s < 0) {
                        fprintf(stderr, "oomtest-rename: invalid SECONDS '%s'\n", argv[2]);
                        return 2;
                }
                left.tv_sec = (time_t) s;
        }
        if (prctl(PR_SET_NAME, argv[1], 0, 0, 0) < 0) {
                fprintf(stderr, "oomtest-rename: prctl(PR_SET_NAME): %s\n", strerror(errno));
                return 1;
        }
        while (nanosleep(&left, &left) < 0 && errno == EINTR)
                ;
        return 0;
}
